// Every screen at the smallest supported window (900x600) without horizontal overflow, keyboard
// navigation, the empty states that say what to do next, and the missing-token explanation.
import { expect, test } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'
import { admin, chat, horizontalOverflow, openView, shoot } from './support/dashboard'

const VIEWS = ['overview', 'providers', 'routes', 'usage', 'requests', 'settings'] as const

test.describe('with providers and traffic', () => {
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
        { id: 'alpha', name: 'Alpha (a long display name)', kind: 'openai-compatible', baseUrl: alpha.baseUrl, limits: { rpm: 60, tpm: 20000, maxConcurrent: 4 } },
        { id: 'beta', name: 'Beta', kind: 'vllm', baseUrl: beta.baseUrl, apiKey: 'sk-e2e-not-a-real-key' },
        { id: 'local-ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:9', enabled: false },
      ],
      routes: [{ model: 'team', strategy: 'weighted', targets: [{ provider: 'alpha', model: 'backend-alpha-model', weight: 3 }, { provider: 'beta', weight: 1 }] }],
    })
    for (let i = 0; i < 6; i++) await chat(gateway, i % 2 ? 'team' : 'some-unlisted-model', { 'x-switchyard-app': i % 3 ? 'cursor' : 'aider' })
  })

  test.afterEach(async () => {
    await gateway?.stop()
    await Promise.all([alpha?.close(), beta?.close()])
  })

  test('every screen fits 900x600', async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 600 })
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('provider-row-alpha')).toHaveAttribute('data-active', 'true')
    for (const view of VIEWS) {
      await openView(page, view)
      // Let each screen load its data before measuring.
      if (view === 'usage') await expect(page.getByTestId('usage-table')).toBeVisible()
      if (view === 'requests') await expect(page.getByTestId('requests-table')).toBeVisible()
      if (view === 'routes') await expect(page.getByTestId('route-0')).toBeVisible()
      if (view === 'settings') await expect(page.getByTestId('snippets')).toBeVisible()
      expect(await horizontalOverflow(page), view).toBeLessThanOrEqual(0)
      await shoot(page, `900x600-${view}`, { fullPage: false })
    }
    await openView(page, 'providers')
    await page.getByTestId('provider-edit-alpha').click()
    await expect(page.getByTestId('provider-form')).toBeVisible()
    await expect(page.getByTestId('provider-id').locator('input')).toHaveValue('alpha')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await shoot(page, '900x600-provider-form', { fullPage: false })
    // The rest of the form: models, limits and queue, timeouts, pricing.
    await page.getByText('Add a price').click()
    await page.getByRole('textbox', { name: 'Priced model' }).fill('backend-alpha-model')
    await page.getByText('Add a price').scrollIntoViewIfNeeded()
    await shoot(page, '900x600-provider-form-limits', { fullPage: false })
  })

  test('keyboard: sections are links in the tab order, the active provider is a radio group', async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 600 })
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('provider-row-alpha')).toHaveAttribute('data-active', 'true')

    const focused = (): Promise<unknown> => page.evaluate('document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.getAttribute("value")')
    for (let i = 0; i < 12 && (await focused()) !== 'nav-usage'; i++) await page.keyboard.press('Tab')
    await expect(page.getByTestId('nav-usage')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('view-usage')).toBeVisible()
    await expect(page.getByTestId('nav-usage')).toHaveAttribute('aria-current', 'page')

    await page.getByTestId('nav-overview').focus()
    await page.keyboard.press('Enter')
    const radio = page.locator('input[type="radio"][value="alpha"]')
    for (let i = 0; i < 30 && (await focused()) !== 'alpha'; i++) await page.keyboard.press('Tab')
    await expect(radio).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(page.getByTestId('provider-row-beta')).toHaveAttribute('data-active', 'true')
    expect((await chat(gateway, 'some-unlisted-model')).provider).toBe('beta')

    // The back button walks the sections.
    await openView(page, 'requests')
    await page.goBack()
    await expect(page.getByTestId('view-overview')).toBeVisible()
  })

  test('a provider that goes down shows in the overview and on its card', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await beta.close()
    // Failed requests open beta's circuit (passive outlier detection).
    await admin(gateway, 'POST', '/active-provider', { id: 'beta' })
    for (let i = 0; i < 6; i++) expect((await chat(gateway, 'another-unlisted-model')).status).toBeGreaterThanOrEqual(500)
    await expect(page.getByTestId('provider-health-beta')).toHaveText(/down|recovering/, { timeout: 15_000 })
    await shoot(page, 'overview-provider-down', { fullPage: false })
  })
})

test.describe('empty gateway', () => {
  let gateway: HeadlessGateway

  test.beforeEach(async () => {
    gateway = await startHeadlessGateway({ version: 1 })
  })
  test.afterEach(async () => {
    await gateway?.stop()
  })

  test('each screen says what to do next', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('providers-empty')).toContainText('No providers configured yet')
    await shoot(page, 'empty-overview')

    await page.getByTestId('empty-add-provider').click()
    await expect(page.getByTestId('view-providers')).toBeVisible()
    await expect(page.getByTestId('providers-empty')).toContainText('No providers yet')
    await shoot(page, 'empty-providers')
    await page.getByTestId('quick-add-ollama').click()
    await expect(page.getByTestId('provider-base-url').locator('input')).toHaveValue('http://127.0.0.1:11434')
    await expect(page.getByTestId('provider-id').locator('input')).toHaveValue('ollama')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('provider-form')).toBeHidden()

    await openView(page, 'routes')
    await expect(page.getByTestId('view-routes')).toContainText('Add a provider first')
    await shoot(page, 'empty-routes')
    await openView(page, 'usage')
    await expect(page.getByTestId('usage-empty')).toContainText('No requests in this range')
    await shoot(page, 'empty-usage')
    await openView(page, 'requests')
    await expect(page.getByTestId('requests-empty')).toContainText('No requests yet')
    await shoot(page, 'empty-requests')
    await openView(page, 'settings')
    await expect(page.getByTestId('app-keys')).toContainText('No app keys')
    // Headless: no desktop section (launch at login belongs to the app).
    await expect(page.getByTestId('desktop-settings')).toHaveCount(0)
    await expect(page.getByTestId('data-location')).toContainText(gateway.dataDir)
    await expect(page.getByTestId('snippet-anthropic')).toContainText(`ANTHROPIC_BASE_URL=${gateway.url}`)
    await expect(page.getByTestId('snippet-openai-python')).toContainText(`${gateway.url}/v1`)
  })

  test('without the token it explains how to get in', async ({ page }) => {
    await page.goto(`${gateway.url}/ui/`)
    await expect(page.getByTestId('api-error')).toContainText('admin token')
    await shoot(page, 'no-token', { fullPage: false })
  })
})
