// "Connect a tool" in Chromium against the headless gateway, on a temporary HOME: every file
// writer from the screen, each file read back with its tool's own format, other keys untouched,
// the tool's own key attributing usage from the first request, restore byte for byte.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse as parseDotenv } from 'dotenv'
import { parse as parseJsonc } from 'jsonc-parser'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { expect, test, type Page } from '@playwright/test'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'
import { admin, chat, horizontalOverflow, openView, shoot } from './support/dashboard'

const FILES: Record<string, { rel: string; before: string }> = {
  'claude-code': { rel: '.claude/settings.json', before: '{\n  "model": "opus",\n  "env": { "DISABLE_TELEMETRY": "1" }\n}\n' },
  codex: { rel: '.codex/config.toml', before: '# mine\nmodel = "gpt-5-codex"\n\n[mcp_servers.docs]\ncommand = "npx"\n' },
  'gemini-cli': { rel: '.gemini/.env', before: 'GEMINI_MODEL=gemini-2.5-pro\n' },
  opencode: { rel: '.config/opencode/opencode.json', before: '{\n  // theme\n  "theme": "tokyonight"\n}\n' },
  continue: { rel: '.continue/config.yaml', before: 'name: Mine # keep\nversion: 1.0.0\nschema: v1\nmodels: []\n' },
  'qwen-code': { rel: '.qwen/.env', before: 'DEBUG=1\n' },
  aider: { rel: '.aider.conf.yml', before: 'dark-mode: true # keep\n' },
}

test.describe('connect a tool', () => {
  let home: string
  let mock: MockOpenAI
  let gateway: HeadlessGateway

  test.beforeEach(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-home-'))
    for (const { rel, before } of Object.values(FILES)) {
      fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true })
      fs.writeFileSync(path.join(home, rel), before)
    }
    // Codex "installed" by its command only.
    fs.rmSync(path.join(home, '.codex'), { recursive: true })
    fs.mkdirSync(path.join(home, 'bin'))
    fs.writeFileSync(path.join(home, 'bin/codex'), '#!/bin/sh\n', { mode: 0o755 })
    mock = await startMockOpenAI('local')
    gateway = await startHeadlessGateway(
      { version: 1, activeProvider: 'local', providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: mock.baseUrl, defaultModel: 'local-model' }] },
      'e2e-admin-token',
      { env: { HOME: home, PATH: `${path.join(home, 'bin')}:${process.env.PATH}` } },
    )
  })

  test.afterEach(async () => {
    await gateway?.stop()
    await mock?.close()
    fs.rmSync(home, { recursive: true, force: true })
  })

  async function connect(page: Page, id: string): Promise<void> {
    await page.getByTestId(`tool-connect-${id}`).click()
    await expect(page.getByTestId(`tool-${id}`)).toHaveAttribute('data-connection', 'connected')
  }

  test('each file writer: written, read back in its own format, others untouched, restored byte for byte', async ({ page }) => {
    test.setTimeout(120_000)
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'tools')
    await expect(page.getByTestId('tool-claude-code')).toContainText('installed')
    await expect(page.getByTestId('tool-codex')).toContainText('codex on PATH')
    await expect(page.getByTestId('tool-cursor')).toContainText('not found')
    await shoot(page, 'tools')
    // The codex file was removed above: it is created.
    fs.mkdirSync(path.join(home, '.codex'))
    fs.writeFileSync(path.join(home, FILES.codex!.rel), FILES.codex!.before)

    for (const id of Object.keys(FILES)) await connect(page, id)
    const read = (id: string): string => fs.readFileSync(path.join(home, FILES[id]!.rel), 'utf8')

    const claude = JSON.parse(read('claude-code'))
    expect(claude.model).toBe('opus')
    expect(claude.env).toMatchObject({ DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: gateway.url })
    expect(claude.env.ANTHROPIC_AUTH_TOKEN).toMatch(/^sy-/)

    const codex = parseToml(read('codex')) as Record<string, Record<string, Record<string, unknown>>>
    expect(codex.model).toBe('gpt-5-codex')
    expect(codex.model_provider).toBe('switchyard')
    expect(codex.model_providers!.switchyard).toMatchObject({ base_url: `${gateway.url}/v1`, wire_api: 'responses' })
    expect(codex.mcp_servers!.docs).toEqual({ command: 'npx' })
    expect(read('codex')).toContain('# mine')

    expect(parseDotenv(read('gemini-cli'))).toMatchObject({ GEMINI_MODEL: 'gemini-2.5-pro', GOOGLE_GEMINI_BASE_URL: gateway.url })
    const opencode = parseJsonc(read('opencode')) as Record<string, Record<string, Record<string, Record<string, unknown>>>>
    expect(opencode.theme).toBe('tokyonight')
    expect(opencode.provider!.switchyard!.options).toMatchObject({ baseURL: `${gateway.url}/v1` })
    expect(opencode.model).toBe('switchyard/local-model')
    expect(read('opencode')).toContain('// theme')
    const cont = parseYaml(read('continue')) as { name: string; models: Array<Record<string, unknown>> }
    expect(cont.name).toBe('Mine')
    expect(cont.models).toEqual([expect.objectContaining({ name: 'Switchyard', provider: 'openai', apiBase: `${gateway.url}/v1`, model: 'local-model' })])
    const qwen = parseDotenv(read('qwen-code'))
    expect(qwen).toMatchObject({ DEBUG: '1', OPENAI_BASE_URL: `${gateway.url}/v1`, OPENAI_MODEL: 'local-model' })
    expect(parseYaml(read('aider'))).toMatchObject({ 'dark-mode': true, 'openai-api-base': `${gateway.url}/v1`, model: 'openai/local-model' })
    await shoot(page, 'tools-connected')
    await page.setViewportSize({ width: 900, height: 600 })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await shoot(page, '900x600-tools', { fullPage: false })

    // The tool's own key: its first request is already its own in the ledger.
    const first = await chat(gateway, 'whatever-the-tool-asks', { authorization: `Bearer ${qwen.OPENAI_API_KEY}` })
    expect(first.status).toBe(200)
    // Ledger rows are written in batches (at most a second late).
    await expect
      .poll(async () => ((await (await admin(gateway, 'GET', '/requests?limit=5')).json()) as { items: Array<{ app: string }> }).items[0]?.app)
      .toBe('qwen-code')
    const apps = (await (await admin(gateway, 'GET', '/apps')).json()) as { items: Array<{ name: string }> }
    expect(apps.items.map((a) => a.name).sort()).toEqual(Object.keys(FILES).sort())

    for (const id of Object.keys(FILES)) {
      await page.getByTestId(`tool-restore-${id}`).click()
      await page.locator('.n-popconfirm__action').getByRole('button', { name: 'Restore' }).click()
      await expect(page.getByTestId(`tool-${id}`)).toHaveAttribute('data-connection', 'none')
      expect(read(id), id).toBe(FILES[id]!.before)
    }
    // Restored tools' keys are revoked.
    expect((await chat(gateway, 'x', { authorization: `Bearer ${qwen.OPENAI_API_KEY}` })).status).toBe(401)
  })

  test('Cursor: a key and the exact values to paste', async ({ page }) => {
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'tools')
    await page.getByTestId('tool-connect-cursor').click()
    const steps = page.getByTestId('tool-steps-cursor')
    await expect(steps).toContainText(/sy-[A-Za-z0-9_-]{32}/)
    await expect(steps).toContainText(`${gateway.url}/v1`)
    const key = /sy-[A-Za-z0-9_-]{32}/.exec((await steps.textContent())!)![0]
    expect((await chat(gateway, 'gpt-4o', { authorization: `Bearer ${key}` })).status).toBe(200)
    await shoot(page, 'tools-cursor', { fullPage: false })
  })
})
