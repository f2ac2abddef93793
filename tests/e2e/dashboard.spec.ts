// The dashboard in Chromium against the headless gateway (web mode) with OpenAI-style mock
// backends: add a provider with the form, test it, send traffic and watch it in the overview,
// usage and requests; switch the active provider; app keys; CSV export; every screen captured
// in light and dark.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'
import { admin, chat, choose, openView, shoot } from './support/dashboard'

test.describe('dashboard: providers, traffic, usage, keys', () => {
  let alpha: MockOpenAI
  let beta: MockOpenAI
  let gateway: HeadlessGateway

  test.beforeEach(async () => {
    alpha = await startMockOpenAI('backend-alpha')
    beta = await startMockOpenAI('backend-beta')
    gateway = await startHeadlessGateway({
      version: 1,
      activeProvider: 'alpha',
      providers: [
        {
          id: 'alpha',
          name: 'Alpha',
          kind: 'openai-compatible',
          baseUrl: alpha.baseUrl,
          limits: { rpm: 600, tpm: 100000 },
          pricing: { 'some-unlisted-model': { inputPerMTok: 2, outputPerMTok: 8 } },
        },
      ],
    })
  })

  test.afterEach(async () => {
    await gateway?.stop()
    await Promise.all([alpha?.close(), beta?.close()])
  })

  test('add a provider with the form, send traffic, switch, read usage and requests, keys, export', async ({ page }) => {
    test.setTimeout(120_000)
    await page.goto(gateway.dashboardUrl)
    // The token moved out of the address bar into sessionStorage.
    await expect(page).toHaveURL(/\/ui\/$/)
    await expect(page.getByTestId('status-state')).toHaveText('Listening')
    await expect(page.getByTestId('status-url')).toHaveText(gateway.url)
    await expect(page.getByTestId('provider-row-alpha')).toHaveAttribute('data-active', 'true')

    // --- Add "beta" through the form: preset, then the mock's address; test; save.
    await openView(page, 'providers')
    await page.getByTestId('add-provider').click()
    const form = page.getByTestId('provider-form')
    await expect(form).toBeVisible()
    await choose(page, 'provider-preset', 'vLLM')
    await expect(page.getByTestId('provider-id').locator('input')).toHaveValue('vllm')
    await expect(page.getByTestId('provider-base-url').locator('input')).toHaveValue('http://127.0.0.1:8000/v1')
    await page.getByTestId('provider-id').locator('input').fill('beta')
    await page.getByTestId('provider-name').locator('input').fill('Beta')
    await page.getByTestId('provider-base-url').locator('input').fill(beta.baseUrl)
    await page.getByTestId('provider-key').locator('input').fill('sk-e2e-typed-key')
    await page.getByTestId('provider-test').click()
    await expect(page.getByTestId('test-result')).toContainText(/Connected in \d+ ms · 1 model/)
    await expect(page.getByTestId('test-models')).toContainText('backend-beta-model')
    await shoot(page, 'provider-form', { fullPage: false })
    await page.getByTestId('provider-save').click()
    await expect(form).toBeHidden()
    const betaCard = page.getByTestId('provider-card-beta')
    await expect(betaCard).toContainText('Beta')
    await expect(betaCard).toContainText('vLLM')
    await expect(betaCard).toContainText('key set')
    await expect(betaCard).toContainText(beta.baseUrl)
    // The key went to the config file, never back to the page.
    expect(JSON.stringify(await page.evaluate('document.body.innerText'))).not.toContain('sk-e2e-typed-key')

    // --- Test the saved provider from its card.
    await page.getByTestId('provider-test-beta').click()
    await expect(betaCard.getByTestId('test-result')).toContainText('Connected in')
    await shoot(page, 'providers')

    // --- Traffic: the discovered model goes to beta, anything else to the active provider (alpha).
    await expect.poll(async () => (await chat(gateway, 'backend-beta-model')).provider, { timeout: 15_000 }).toBe('beta')
    for (let i = 0; i < 3; i++) expect((await chat(gateway, 'some-unlisted-model')).provider).toBe('alpha')

    await openView(page, 'overview')
    await expect(page.getByTestId('provider-requests-alpha')).toHaveText('3')
    await expect(page.getByTestId('provider-requests-beta')).not.toHaveText('0')
    const total = Number(await page.getByTestId('requests-total').textContent())
    expect(total).toBeGreaterThanOrEqual(4)
    await expect(page.getByTestId('stat-tpm')).not.toHaveText('0')

    // --- Switch the active provider on the overview: the next unrouted request goes to beta.
    await page.getByTestId('provider-radio-beta').click()
    await expect(page.getByTestId('provider-row-beta')).toHaveAttribute('data-active', 'true')
    await expect(page.getByTestId('active-provider-select')).toContainText('Beta')
    const switched = await chat(gateway, 'some-unlisted-model')
    expect(switched.body.backend).toBe('backend-beta')
    await expect(page.getByTestId('requests-total')).toHaveText(String(total + 1))
    const saved = JSON.parse(fs.readFileSync(path.join(gateway.dataDir, 'config.json'), 'utf8')) as { activeProvider: string; providers: { id: string; apiKey?: string }[] }
    expect(saved.activeProvider).toBe('beta')
    expect(saved.providers.find((p) => p.id === 'beta')?.apiKey).toBe('sk-e2e-typed-key') // headless keeps what was typed (no keychain)
    // Let the live charts gather a few ticks before the screenshot.
    await page.waitForTimeout(2500)
    await shoot(page, 'overview')

    // --- Usage: both providers, with tokens and cost.
    await openView(page, 'usage')
    const usageTable = page.getByTestId('usage-table')
    await expect(usageTable).toContainText('alpha')
    await expect(usageTable).toContainText('beta')
    await expect(page.getByTestId('usage-total-requests')).toHaveText(String(total + 1))
    await expect(page.getByTestId('usage-total-tokens')).toHaveText(String((total + 1) * 8))
    await expect(page.getByTestId('usage-total-cost')).not.toHaveText('$0.00')
    await page.getByTestId('usage-dimension').getByText('Model').click()
    await expect(usageTable).toContainText('backend-beta-model')
    await page.getByTestId('usage-dimension').getByText('Provider').click()
    await expect(usageTable).toContainText('alpha')
    await shoot(page, 'usage')

    // --- CSV export: a real download with one line per request.
    const downloading = page.waitForEvent('download')
    await page.getByTestId('export-csv').click()
    const download = await downloading
    expect(download.suggestedFilename()).toMatch(/^switchyard-usage-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n')
    expect(csv.length).toBe(total + 2) // header + one row per request
    expect(csv[0]).toContain('provider')
    expect(csv.join('\n')).toContain('backend-beta-model')

    // --- Requests: the log, newest first.
    await openView(page, 'requests')
    const requestsTable = page.getByTestId('requests-table')
    await expect(requestsTable.locator('tbody tr')).toHaveCount(total + 1)
    await expect(requestsTable.locator('tbody tr').first()).toContainText('beta')
    await expect(requestsTable).toContainText('some-unlisted-model')
    await expect(requestsTable).toContainText('5 / 3')
    await shoot(page, 'requests')

    // --- App keys: create (shown once, copyable), use, revoke.
    await openView(page, 'settings')
    await page.getByTestId('app-name').locator('input').fill('aider')
    await page.getByTestId('app-create').click()
    const key = (await page.getByTestId('app-key-value').textContent())!.trim()
    expect(key).toMatch(/^sy-/)
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url })
    await page.getByTestId('app-key-copy').click()
    await expect(page.getByTestId('app-key-copy')).toHaveText('Copied')
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key)
    await shoot(page, 'app-key-created', { fullPage: false })
    await page.getByTestId('app-key-done').click()
    await expect(page.getByTestId('app-key-modal')).toBeHidden()
    await expect(page.getByTestId('app-key-value')).toHaveCount(0) // gone for good
    await expect(page.getByTestId('app-table')).toContainText('aider')
    const withKey = await chat(gateway, 'some-unlisted-model', { authorization: `Bearer ${key}` })
    expect(withKey.status).toBe(200)
    await shoot(page, 'settings')

    await page.getByTestId('revoke-aider').click()
    await page.locator('.n-popconfirm__action').getByRole('button', { name: 'Revoke' }).click()
    await expect(page.getByTestId('app-table')).toHaveCount(0)
    expect((await chat(gateway, 'some-unlisted-model', { authorization: `Bearer ${key}` })).status).toBe(401)

    // The app's request shows up under its name.
    await openView(page, 'usage')
    await page.getByTestId('usage-dimension').getByText('App').click()
    await expect(page.getByTestId('usage-table')).toContainText('aider')
  })

  test('routes: add one in the editor, see where models resolve, and traffic follows', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'providers')
    // A second provider through the API the form uses, to keep this test about routes.
    await admin(gateway, 'PUT', '/providers/beta', { id: 'beta', name: 'Beta', kind: 'vllm', baseUrl: beta.baseUrl })
    await expect(page.getByTestId('provider-card-beta')).toBeVisible()

    await openView(page, 'routes')
    await page.getByTestId('add-route').click()
    const route = page.getByTestId('route-0')
    await route.getByRole('textbox', { name: 'Route model or pattern' }).fill('team-model')
    await choose(page, 'route-0-target-0-provider', 'Beta (beta)')
    await page.getByTestId('routes-save').click()
    await expect(page.getByTestId('routes-save')).toHaveCount(0)
    await expect(page.getByTestId('resolution-team-model')).toContainText('via route')
    await expect(page.getByTestId('resolution-team-model')).toContainText('beta · team-model')

    await page.getByTestId('resolve-input').locator('input').fill('anything-else')
    await page.getByTestId('resolve-submit').click()
    await expect(page.getByTestId('resolution-anything-else')).toContainText('via active provider')
    await expect(page.getByTestId('resolution-anything-else')).toContainText('alpha')
    await shoot(page, 'routes')

    const routed = await chat(gateway, 'team-model')
    expect(routed.provider).toBe('beta')
    const saved = JSON.parse(fs.readFileSync(path.join(gateway.dataDir, 'config.json'), 'utf8')) as { routes: unknown[] }
    expect(saved.routes).toEqual([{ model: 'team-model', strategy: 'auto', affinity: false, targets: [{ provider: 'beta' }] }])
  })

  test('pause and resume from the header', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await page.getByTestId('pause-toggle').click()
    await expect(page.getByTestId('status-state')).toHaveText('Paused')
    await expect(page.getByTestId('paused-notice')).toBeVisible()
    expect((await chat(gateway, 'some-unlisted-model')).status).toBe(503)
    await shoot(page, 'paused', { fullPage: false })
    await page.getByTestId('pause-toggle').click()
    await expect(page.getByTestId('status-state')).toHaveText('Listening')
    expect((await chat(gateway, 'some-unlisted-model')).status).toBe(200)
  })
})
