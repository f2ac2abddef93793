// Issue 15's dashboard defects, one test each, in Chromium against the headless gateway.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'
import { admin, chat, openView, shoot } from './support/dashboard'

let alpha: MockOpenAI
let gateway: HeadlessGateway

test.beforeEach(async () => {
  alpha = await startMockOpenAI('backend-alpha')
  gateway = await startHeadlessGateway({
    version: 1,
    server: { host: '127.0.0.1', port: 7171 },
    activeProvider: 'alpha',
    providers: [
      { id: 'alpha', name: 'Alpha', kind: 'openai-compatible', baseUrl: alpha.baseUrl },
      { id: 'beta', name: 'Beta', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1' },
    ],
    routes: [
      { model: 'only-beta', targets: [{ provider: 'beta' }] },
      { model: 'both', targets: [{ provider: 'alpha' }, { provider: 'beta' }] },
    ],
  })
})
test.afterEach(async () => {
  await gateway?.stop()
  await alpha?.close()
})

const savedConfig = (): { server: { host: string; port: number }; providers: Array<{ id: string; limits?: Record<string, number> }> } =>
  JSON.parse(fs.readFileSync(path.join(gateway.dataDir, 'config.json'), 'utf8'))

test('settings refuse a bad host and port, and say the command line overrides the port', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await openView(page, 'settings')
  const port = new URL(gateway.url).port
  await expect(page.getByTestId('server-running')).toContainText(`127.0.0.1:${port}`)
  await page.getByTestId('server-host').locator('input').fill('not a host!!')
  await page.getByTestId('server-save').click()
  await expect(page.getByTestId('server-save-error')).toContainText('is not an address to listen on')
  await page.getByTestId('server-host').locator('input').fill('127.0.0.1')
  await page.getByTestId('server-port').locator('input').fill('-1')
  await page.getByTestId('server-save').click()
  await expect(page.getByTestId('server-save-error')).toContainText('from 1 to 65535')
  expect(savedConfig().server).toMatchObject({ host: '127.0.0.1', port: 7171 })
  // The schema refuses it too (a config sent straight to the API).
  const res = await fetch(`${gateway.url}/admin/api/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...savedConfig(), server: { host: 'not a host!!', port: 7171 } }),
  })
  expect(res.status).toBe(400)
  await shoot(page, 'settings-invalid', { fullPage: false })
})

test('a #token= link pasted into the open tab applies without a reload and leaves the address bar', async ({ page }) => {
  await page.goto(`${gateway.url}/ui/`)
  await expect(page.getByTestId('api-error')).toContainText('admin token')
  await page.evaluate('window.__sameDocument = true')
  await page.evaluate(`location.hash = '#token=${gateway.token}'`)
  await expect(page.getByTestId('status-state')).toHaveText('Listening')
  expect(await page.evaluate('window.__sameDocument')).toBe(true)
  await expect(page).toHaveURL(/\/ui\/$/)
})

test('limits: negatives refused with a message, 0 means no limit (never 1)', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await openView(page, 'providers')
  await page.getByTestId('provider-edit-alpha').click()
  await page.getByTestId('provider-rpm').locator('input').fill('-5')
  await page.getByTestId('provider-tpm').locator('input').fill('0')
  await page.getByTestId('provider-save').click()
  await expect(page.getByTestId('provider-limits-error')).toContainText('cannot be negative')
  await expect(page.getByTestId('provider-form')).toContainText('Empty or 0 means no limit')
  await shoot(page, 'provider-limits-error', { fullPage: false })
  await page.getByTestId('provider-rpm').locator('input').fill('')
  await page.getByTestId('provider-save').click()
  await expect(page.getByTestId('provider-form')).toBeHidden()
  expect(savedConfig().providers.find((p) => p.id === 'alpha')!.limits ?? {}).toEqual({})
})

test('removing a provider says which routes go, with a destructive button', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await openView(page, 'providers')
  await page.getByTestId('provider-remove-beta').click()
  const confirm = page.getByTestId('provider-remove-confirm-beta')
  await expect(confirm).toContainText('The route “only-beta” will be deleted: Beta is its only target.')
  await expect(confirm).toContainText('The route “both” loses it as a target.')
  const button = page.locator('.n-popconfirm__action').getByRole('button', { name: 'Remove' })
  await expect(button).toHaveClass(/n-button--error-type/)
  await shoot(page, 'provider-remove-confirm', { fullPage: false })
  await button.click()
  await expect(page.getByTestId('provider-card-beta')).toHaveCount(0)
})

test('the active provider down: a warning on every screen; switching says where requests go', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await page.getByTestId('provider-radio-beta').click()
  await expect(page.locator('.n-message')).toContainText('now go to Beta')
  for (let i = 0; i < 6; i++) await chat(gateway, 'unrouted-model')
  await expect(page.getByTestId('active-down')).toContainText('The active provider, Beta, is down', { timeout: 20_000 })
  // The Overview marks the active row itself, with the verdict every screen shares.
  await expect(page.getByTestId('provider-active-down-beta')).toBeVisible()
  await expect(page.getByTestId('provider-health-beta')).toHaveText('down')
  await shoot(page, 'overview-active-provider-down', { fullPage: false })
  await openView(page, 'usage')
  await expect(page.getByTestId('active-down')).toBeVisible()
  await shoot(page, 'active-provider-down', { fullPage: false })

  // The resolver colours Beta the same in the row where it is the only target (kept as the
  // least-bad choice) and in the row where Alpha is usable; route insights agree.
  await openView(page, 'routes')
  const alone = page.getByTestId('resolution-only-beta-beta')
  const beside = page.getByTestId('resolution-both-beta')
  await expect(alone).toHaveAttribute('data-health', 'down')
  await expect(beside).toHaveAttribute('data-health', 'down')
  await expect(page.getByTestId('resolution-both-alpha')).toHaveAttribute('data-health', 'healthy')
  await expect(alone).toHaveAttribute('title', /^beta is down/)
  await shoot(page, 'routes-provider-down')
})

test('theme: Auto, Light or Dark, kept across reloads', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' })
  await page.goto(gateway.dashboardUrl)
  await page.getByTestId('theme-dark').click()
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 20)')
  await page.reload()
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 20)')
  await page.getByTestId('theme-system').click()
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(255, 255, 255)')
})

test('Copy gives the /v1 base URL', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url })
  await page.getByTestId('copy-url').click()
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${gateway.url}/v1`)
})

test('live charts: the gateway keeps the last minutes, so a reload is not empty', async ({ page }) => {
  await page.goto(gateway.dashboardUrl)
  await page.waitForTimeout(6000)
  const points = ((await (await admin(gateway, 'GET', '/stats/history')).json()) as { points: unknown[] }).points
  expect(points.length).toBeGreaterThanOrEqual(5)
  await page.reload()
  // Right after the reload the charts already span the seconds before it.
  await expect(page.getByTestId('live-charts').locator('canvas').first()).toBeVisible()
  const span = Number(/last (\d+) s/.exec((await page.getByTestId('live-span').textContent()) ?? '')?.[1])
  expect(span).toBeGreaterThanOrEqual(5)
})

test('the Edit drawer offers discovered models; a refused key reads in words', async ({ page }) => {
  const refusing = http.createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }))
  })
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r))
  try {
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'providers')
    await expect.poll(async () => ((await (await admin(gateway, 'GET', '/providers')).json()) as { items: Array<{ id: string; discoveredModels: string[] }> }).items.find((p) => p.id === 'alpha')!.discoveredModels).toEqual(['backend-alpha-model'])
    await page.getByTestId('provider-edit-alpha').click()
    await page.getByTestId('provider-models').click()
    await expect(page.locator('.n-base-select-option', { hasText: 'backend-alpha-model' })).toBeVisible()
    await page.keyboard.press('Escape')
    await page.getByTestId('provider-base-url').locator('input').fill(`http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1`)
    await page.getByTestId('provider-test').click()
    await expect(page.getByTestId('test-result')).toContainText('The provider refused the key (HTTP 401): check the API key. It said: Incorrect API key provided')
  } finally {
    refusing.close()
  }
})

test('usage: refresh, unknown explained, routes of a model', async ({ page }) => {
  await chat(gateway, 'both')
  await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' })
  await page.goto(gateway.dashboardUrl)
  await openView(page, 'usage')
  await expect(page.getByTestId('usage-table')).toContainText('alpha')
  await expect(page.getByTestId('usage-unknown-note')).toContainText('requests no provider took')
  await page.getByTestId('usage-dimension').getByText('Model').click()
  await expect(page.getByTestId('usage-table')).toContainText('Via route')
  const before = await page.getByTestId('usage-total-requests').textContent()
  await chat(gateway, 'both')
  await page.waitForTimeout(1200)
  await page.getByTestId('usage-refresh').click()
  await expect(page.getByTestId('usage-total-requests')).not.toHaveText(before!)
  await shoot(page, 'usage-model-routes')
})
