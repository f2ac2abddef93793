// First run: an empty Switchyard finds a (mock) Ollama on a free port registered for discovery,
// the user adds it with one click, and a coding tool's request with its own hard-coded model
// name works — two user actions in all. Headless `serve --discover` adds it with none.
import { expect, test } from '@playwright/test'
import { startLocalServer, type LocalServer } from '../helpers/localServers'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { admin, horizontalOverflow, shoot } from './support/dashboard'

test.describe('first run', () => {
  let ollama: LocalServer
  let gateway: HeadlessGateway | undefined

  test.beforeEach(async () => {
    ollama = await startLocalServer('ollama', ['llama3.2:3b', 'qwen2.5-coder:7b'])
  })
  test.afterEach(async () => {
    await gateway?.stop()
    gateway = undefined
    await ollama.close()
  })

  async function toolRequest(gw: HeadlessGateway): Promise<{ status: number; model: string | null; text: string }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchyard-app': 'claude-code' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
    })
    const body = (await res.json()) as { choices?: Array<{ message: { content: string } }> }
    return { status: res.status, model: res.headers.get('x-switchyard-model'), text: body.choices?.[0]?.message.content ?? JSON.stringify(body) }
  }

  test('found, added in one click, and a tool request works (2 user actions)', async ({ page }) => {
    gateway = await startHeadlessGateway({ version: 1 }, 'e2e-admin-token', { env: { SWITCHYARD_DISCOVERY_PORTS: String(ollama.port) } })
    let actions = 0
    await page.setViewportSize({ width: 1280, height: 800 })
    // Action 1: open the dashboard link.
    actions++
    await page.goto(gateway.dashboardUrl)
    const found = page.getByTestId('found-ollama')
    await expect(found).toContainText(ollama.origin)
    await expect(found).toContainText('qwen2.5-coder:7b')
    await shoot(page, 'first-run-found')
    await page.setViewportSize({ width: 900, height: 600 })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await shoot(page, '900x600-first-run-found', { fullPage: false })
    // Action 2: Add.
    actions++
    await found.getByTestId('found-add').click()
    await expect(page.getByTestId('provider-row-ollama')).toHaveAttribute('data-active', 'true')
    await expect(page.getByTestId('active-provider-select')).toContainText('Ollama')

    const answer = await toolRequest(gateway)
    expect(answer.status).toBe(200)
    expect(answer.model).toBe('qwen2.5-coder:7b')
    expect(answer.text).toBe('ollama ran qwen2.5-coder:7b')
    expect(ollama.chats).toBe(1)
    expect(actions).toBeLessThanOrEqual(5)
  })

  test('serve --discover adds it headless and makes it active', async () => {
    gateway = await startHeadlessGateway({ version: 1 }, 'e2e-admin-token', { env: { SWITCHYARD_DISCOVERY_PORTS: String(ollama.port) }, args: ['--discover'] })
    await expect
      .poll(async () => ((await (await admin(gateway!, 'GET', '/status')).json()) as { activeProvider?: string }).activeProvider, { timeout: 15_000 })
      .toBe('ollama')
    const providers = (await (await admin(gateway, 'GET', '/providers')).json()) as { items: Array<{ id: string; baseUrl: string; defaultModel?: string }> }
    expect(providers.items).toEqual([expect.objectContaining({ id: 'ollama', baseUrl: ollama.origin, defaultModel: 'qwen2.5-coder:7b' })])
    expect(gateway.output()).toContain(`added Ollama at ${ollama.origin} as provider "ollama" (2 models, active)`)
    expect((await toolRequest(gateway)).status).toBe(200)
  })
})
