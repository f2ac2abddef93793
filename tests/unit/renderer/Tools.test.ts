// @vitest-environment happy-dom
// The "Connect a tool" screen against the fake client: installed tools first, connect sends the
// chosen model to tools that need one, Cursor's key shows once with the steps, restore.
import { afterEach, describe, expect, it } from 'vitest'
import type { ToolView } from '../../../src/shared/api'
import { connectLabel, sortTools, toolBadges, toolDetail } from '../../../src/renderer/src/logic/toolView'
import { fakeClient, provider } from './fakeClient'
import { byTestId, mountApp, settle } from './mountApp'

afterEach(() => {
  document.body.innerHTML = ''
})

function tool(id: ToolView['id'], over: Partial<ToolView> = {}): ToolView {
  return { id, name: id, installed: false, evidence: [], mode: 'file', configPath: `~/.${id}/config`, connection: 'none', usesModel: false, canRestore: false, ...over }
}

describe('tool card wording', () => {
  it('says what was found, what is connected and what points elsewhere', () => {
    expect(toolBadges(tool('codex', { installed: true, connection: 'connected' })).map((b) => b.label)).toEqual(['installed', 'connected'])
    expect(toolBadges(tool('codex', { pointsAt: 'http://127.0.0.1:9999' })).map((b) => b.label)).toEqual(['not found', 'points elsewhere'])
    expect(toolBadges(tool('cursor', { mode: 'manual', connection: 'connected' })).map((b) => b.label)).toContain('key issued')
    expect(toolDetail(tool('codex', { installed: true, evidence: ['~/.codex', 'codex on PATH'] }))).toBe('Found: ~/.codex, codex on PATH')
    expect(toolDetail(tool('codex', { connection: 'changed', pointsAt: 'https://api.openai.com/v1' }))).toContain('now sends it to https://api.openai.com/v1')
    expect(connectLabel(tool('codex', { connection: 'connected' }))).toBe('Reconnect')
    expect(connectLabel(tool('cursor', { mode: 'manual' }))).toBe('Get a key')
    expect(sortTools([tool('codex'), tool('aider', { installed: true })]).map((t) => t.id)).toEqual(['aider', 'codex'])
  })
})

describe('connect a tool screen', () => {
  it('connects with the chosen model and shows the state', async () => {
    const fake = fakeClient({
      providers: [provider('ollama', { defaultModel: 'llama3.2', discoveredModels: ['qwen2.5-coder:7b'] })],
      activeProvider: 'ollama',
      tools: [tool('opencode', { usesModel: true }), tool('claude-code', { installed: true, evidence: ['~/.claude'] })],
    })
    const wrapper = await mountApp(fake, 'tools')
    const cards = wrapper.findAll('[data-testid^="tool-"][data-connection]')
    expect(cards.map((c) => c.attributes('data-testid'))).toEqual(['tool-claude-code', 'tool-opencode'])

    await byTestId(wrapper, 'tool-connect-opencode').trigger('click')
    await settle()
    expect(fake.client.connectTool).toHaveBeenCalledWith({ id: 'opencode', model: 'llama3.2' })
    expect(byTestId(wrapper, 'tool-opencode').attributes('data-connection')).toBe('connected')
    expect(byTestId(wrapper, 'tool-opencode').text()).toContain('usage as opencode')

    await byTestId(wrapper, 'tool-connect-claude-code').trigger('click')
    await settle()
    expect(fake.client.connectTool).toHaveBeenLastCalledWith({ id: 'claude-code' })
    wrapper.unmount()
  })

  it('shows Cursor its key once, in the steps', async () => {
    const fake = fakeClient({
      tools: [
        tool('cursor', {
          mode: 'manual',
          usesModel: true,
          configPath: undefined,
          steps: [{ text: 'Open settings' }, { text: 'Paste the key', value: '(press Get a key)' }, { text: 'Base URL', value: 'http://127.0.0.1:7171/v1' }],
        }),
      ],
    })
    const wrapper = await mountApp(fake, 'tools')
    expect(byTestId(wrapper, 'tool-steps-cursor').text()).toContain('(press Get a key)')
    await byTestId(wrapper, 'tool-connect-cursor').trigger('click')
    await settle()
    expect(byTestId(wrapper, 'tool-steps-cursor').text()).toContain(`sy-${'t'.repeat(32)}`)
    expect(byTestId(wrapper, 'tool-cursor').text()).toContain('shown only now')
    wrapper.unmount()
  })
})
