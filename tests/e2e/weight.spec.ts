// The dashboard's weight in Chromium: the first screen loads the entry chunk and its own screen
// only (charts come with the first chart), every file arrives brotli-compressed.
import { expect, test } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { admin } from './support/dashboard'

test.describe('weight', () => {
  let gateway: HeadlessGateway
  test.beforeEach(async () => {
    gateway = await startHeadlessGateway({ version: 1 })
  })
  test.afterEach(async () => {
    await gateway?.stop()
  })

  test('split by screen, charts on demand, compressed', async ({ page }) => {
    const scripts: Array<{ url: string; encoding?: string; bytes: number }> = []
    page.on('response', async (res) => {
      if (!res.url().endsWith('.js')) return
      scripts.push({ url: res.url(), encoding: res.headers()['content-encoding'], bytes: Number(res.headers()['content-length'] ?? 0) })
    })
    await page.goto(gateway.dashboardUrl)
    await expect(page.getByTestId('status-state')).toHaveText('Listening')
    await expect(page.getByTestId('view-overview')).toBeVisible()
    expect(scripts.length).toBeGreaterThan(1)
    // Files under 1 KB gain nothing from it and go as they are.
    for (const s of scripts) if (s.encoding !== 'br') expect(s.bytes, s.url).toBeLessThan(1024)
    expect(scripts.filter((s) => s.encoding === 'br').length).toBeGreaterThan(0)
    // No providers yet: no chart on screen, so no chart library either.
    expect(scripts.some((s) => /echarts/.test(s.url))).toBe(false)
    const onTheWire = scripts.reduce((n, s) => n + s.bytes, 0)
    expect(onTheWire).toBeLessThan(250_000)
    // A provider, and the overview's live charts appear: now the chart library loads.
    await admin(gateway, 'PUT', '/providers/local', { id: 'local', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1' })
    await expect(page.getByTestId('provider-row-local')).toBeVisible()
    await expect.poll(() => scripts.some((s) => /echarts/.test(s.url))).toBe(true)
  })
})
