// Tool model names on the Routes screen: where the names tools hard-code go (shown, not hidden),
// the resolver saying so, a Claude Code request for haiku running on the smallest model (and the
// answer saying which model ran), and a tier changed in the UI taking effect.
import { expect, test } from '@playwright/test'
import { startLocalServer, type LocalServer } from '../helpers/localServers'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { choose, horizontalOverflow, openView, shoot } from './support/dashboard'

test.describe('tool model names', () => {
  let ollama: LocalServer
  let gateway: HeadlessGateway

  test.beforeEach(async () => {
    ollama = await startLocalServer('ollama', ['llama3.2:3b', 'qwen2.5-coder:7b', 'qwen2.5-coder:32b'])
    gateway = await startHeadlessGateway({
      version: 1,
      activeProvider: 'ollama',
      providers: [{ id: 'ollama', name: 'Ollama', kind: 'ollama', baseUrl: ollama.origin, defaultModel: 'qwen2.5-coder:7b' }],
    })
  })
  test.afterEach(async () => {
    await gateway?.stop()
    await ollama?.close()
  })

  async function claudeCode(model: string): Promise<{ status: number; ran: string | null }> {
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'anything' },
      body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: 'title this chat' }] }),
    })
    await res.arrayBuffer()
    return { status: res.status, ran: res.headers.get('x-switchyard-model') }
  }

  test('shown on the Routes screen and in the resolver; requests follow; a tier edited in the UI applies', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'routes')
    const samples = page.getByTestId('tool-model-samples')
    // Tiers come from the discovered models: haiku -> the smallest, opus -> the largest.
    await expect(samples).toContainText('claude-3-5-haiku-latest→llama3.2:3b on ollama', { timeout: 20_000 })
    await expect(samples).toContainText('claude-opus-4-1→qwen2.5-coder:32b')
    await page.getByTestId('resolve-input').locator('input').fill('claude-3-5-haiku-latest')
    await page.getByTestId('resolve-submit').click()
    await expect(page.getByTestId('tool-mapping-claude-3-5-haiku-latest')).toContainText('tool name → llama3.2:3b (small tier)')
    await shoot(page, 'routes-tool-models')

    expect(await claudeCode('claude-3-5-haiku-latest')).toEqual({ status: 200, ran: 'llama3.2:3b' })
    expect(await claudeCode('claude-opus-4-1')).toEqual({ status: 200, ran: 'qwen2.5-coder:32b' })

    await choose(page, 'tool-tier-small', 'qwen2.5-coder:7b')
    await page.getByTestId('tool-models-save').click()
    await expect(samples).toContainText('claude-3-5-haiku-latest→qwen2.5-coder:7b')
    expect(await claudeCode('claude-3-5-haiku-latest')).toEqual({ status: 200, ran: 'qwen2.5-coder:7b' })

    await page.setViewportSize({ width: 900, height: 600 })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await page.getByTestId('tool-models').scrollIntoViewIfNeeded()
    await shoot(page, '900x600-routes-tool-models', { fullPage: false })
  })
})
