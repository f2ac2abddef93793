// The status page in Chromium against the headless gateway: it shows the providers, switching
// the active provider in the UI changes where the next request goes, and the counter is live.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'

const screenshots = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots')

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshots, { recursive: true })
  // naive-ui animates theme colours; capture the settled page, not a blend of light and dark.
  // (A function, not a string: the dashboard's CSP forbids eval, which string predicates need.)
  await page.waitForFunction(() => (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations().length === 0)
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true })
}

async function chat(gateway: HeadlessGateway, model: string): Promise<{ status: number; provider: string | null; body: { backend?: string } }> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'who answers?' }] }),
  })
  return { status: res.status, provider: res.headers.get('x-switchyard-provider'), body: (await res.json()) as { backend?: string } }
}

test.describe('dashboard with two providers', () => {
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
        { id: 'alpha', name: 'Alpha', kind: 'openai-compatible', baseUrl: alpha.baseUrl },
        { id: 'beta', name: 'Beta', kind: 'vllm', baseUrl: beta.baseUrl, apiKey: 'sk-e2e-not-a-real-key' },
      ],
    })
  })

  test.afterEach(async () => {
    await gateway?.stop()
    await Promise.all([alpha?.close(), beta?.close()])
  })

  test('switching the active provider in the UI moves the next request', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)

    // The token moved out of the address bar into sessionStorage.
    await expect(page).toHaveURL(/\/ui\/$/)
    await expect(page.getByTestId('status-state')).toHaveText('Listening')
    await expect(page.getByTestId('status-url')).toHaveText(gateway.url)

    const alphaRow = page.getByTestId('provider-row-alpha')
    const betaRow = page.getByTestId('provider-row-beta')
    await expect(alphaRow).toContainText('Alpha')
    await expect(alphaRow).toContainText('openai-compatible')
    await expect(alphaRow).toContainText(alpha.baseUrl)
    await expect(alphaRow).toContainText('no key')
    await expect(betaRow).toContainText('Beta')
    await expect(betaRow).toContainText('vllm')
    await expect(betaRow).toContainText('key set')
    await expect(alphaRow).toHaveAttribute('data-active', 'true')
    await expect(betaRow).toHaveAttribute('data-active', 'false')
    await expect(page.getByTestId('requests-total')).toHaveText('0')

    // An unknown model goes to the active provider: alpha.
    const first = await chat(gateway, 'some-unlisted-model')
    expect(first.status).toBe(200)
    expect(first.body.backend).toBe('backend-alpha')
    // The counter updates from the live stream, without a reload.
    await expect(page.getByTestId('requests-total')).toHaveText('1')
    await expect(page.getByTestId('provider-requests-alpha')).toHaveText('1')

    await page.getByTestId('provider-radio-beta').click()
    await expect(betaRow).toHaveAttribute('data-active', 'true')
    await expect(alphaRow).toHaveAttribute('data-active', 'false')

    const second = await chat(gateway, 'some-unlisted-model')
    expect(second.status).toBe(200)
    expect(second.body.backend).toBe('backend-beta')
    expect(second.provider).toBe('beta')
    expect(beta.completions).toBe(1)
    await expect(page.getByTestId('requests-total')).toHaveText('2')
    await expect(page.getByTestId('provider-requests-beta')).toHaveText('1')

    // The switch was persisted in the config file, not only in memory.
    const saved = JSON.parse(fs.readFileSync(path.join(gateway.dataDir, 'config.json'), 'utf8')) as { activeProvider: string }
    expect(saved.activeProvider).toBe('beta')

    await page.emulateMedia({ colorScheme: 'light' })
    await shoot(page, 'dashboard-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 20)')
    await shoot(page, 'dashboard-dark')
  })

  test('the provider list is keyboard reachable and fits 900x600', async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 600 })
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('provider-row-alpha')).toHaveAttribute('data-active', 'true')

    // Tab to the checked radio, arrow to the next one: the gateway switches.
    const radio = page.locator('input[type="radio"][value="alpha"]')
    const focusedValue = (): Promise<unknown> => page.evaluate('document.activeElement?.getAttribute("value")')
    for (let i = 0; i < 10 && (await focusedValue()) !== 'alpha'; i++) await page.keyboard.press('Tab')
    await expect(radio).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(page.getByTestId('provider-row-beta')).toHaveAttribute('data-active', 'true')

    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow as number).toBeLessThanOrEqual(0)
    await page.emulateMedia({ colorScheme: 'light' })
    await shoot(page, 'dashboard-900x600-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shoot(page, 'dashboard-900x600-dark')
  })
})

test.describe('dashboard without providers', () => {
  let gateway: HeadlessGateway

  test.beforeEach(async () => {
    gateway = await startHeadlessGateway({ version: 1 })
  })
  test.afterEach(async () => {
    await gateway?.stop()
  })

  test('says what to do next', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('providers-empty')).toContainText('No providers configured yet')
    await expect(page.getByTestId('providers-empty')).toContainText('config.json')
    await page.emulateMedia({ colorScheme: 'light' })
    await shoot(page, 'empty-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shoot(page, 'empty-dark')
  })

  test('without the token it explains how to get in', async ({ page }) => {
    await page.goto(`${gateway.url}/ui/`)
    await expect(page.getByTestId('api-error')).toContainText('admin token')
    await shoot(page, 'no-token-light')
  })
})
