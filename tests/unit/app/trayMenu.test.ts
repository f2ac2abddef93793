import { describe, expect, it } from 'vitest'
import { clientBaseUrl, type GatewayStatus, type TodayUsage } from '../../../src/shared/api'
import {
  formatCost,
  statusLine,
  todayLine,
  topProviders,
  trayMenuTemplate,
  trayTooltip,
  type TrayMenuItem,
  type TrayState,
} from '../../../src/main/app/trayMenu'

const listening: GatewayStatus = { state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1.0.0' }
const providers: TrayState['providers'] = [
  { id: 'vllm-a', name: 'vLLM A', enabled: true },
  { id: 'ollama', name: 'Ollama', enabled: true },
  { id: 'openai', name: 'OpenAI', enabled: false },
]
const totals = (totalTokens: number, costUsd = 0, requests = 1) => ({ requests, promptTokens: totalTokens, completionTokens: 0, totalTokens, costUsd })
const today: TodayUsage = {
  day: '2026-05-01',
  ...totals(15_420, 0.0412, 9),
  providers: { 'vllm-a': totals(10_000, 0, 5), openai: totals(5_000, 0.0412, 3), ollama: totals(400, 0, 1), tiny: totals(20, 0, 1) },
}

const labels = (items: TrayMenuItem[]): (string | undefined)[] => items.map((i) => (i.type === 'separator' ? '---' : i.label))
const radios = (items: TrayMenuItem[]): TrayMenuItem[] => items.filter((i) => i.type === 'radio')
const find = (items: TrayMenuItem[], label: string) => items.find((i) => i.label === label)
const actionOf = (items: TrayMenuItem[], label: string) => find(items, label)?.action

describe('tray: tools and apps', () => {
  it("today's tokens per app, most first, with the unidentified caller named so", () => {
    const items = trayMenuTemplate({ status: listening, providers, today: { ...today, apps: { 'claude-code': totals(9_000), unknown: totals(12_000), aider: totals(100) } } })
    const at = labels(items).indexOf('By app')
    expect(at).toBeGreaterThan(labels(items).indexOf('Today: 15,420 tokens · $0.04'))
    expect(labels(items).slice(at + 1, at + 4)).toEqual(['    unidentified: 12,000 tokens', '    claude-code: 9,000 tokens', '    aider: 100 tokens'])
    expect(labels(trayMenuTemplate({ status: listening, providers, today }))).not.toContain('By app')
  })

  it('Connect a Tool… before the tool list is known opens the dashboard on the Tools screen, not the start page', () => {
    const items = trayMenuTemplate({ status: listening, providers })
    expect(find(items, 'Connect a Tool…')).toEqual({ type: 'normal', label: 'Connect a Tool…', action: { kind: 'open-dashboard', view: 'tools' } })
    // Plain "Open Dashboard…" still opens wherever the window was.
    expect(actionOf(items, 'Open Dashboard…')).toEqual({ kind: 'open-dashboard' })
  })

  it('Connect a Tool: installed first; a click connects file tools, connected ones and Cursor open the dashboard', () => {
    const items = trayMenuTemplate({
      status: listening,
      providers,
      tools: [
        { id: 'aider', name: 'Aider', mode: 'file', installed: false, connection: 'none' },
        { id: 'claude-code', name: 'Claude Code', mode: 'file', installed: true, connection: 'none' },
        { id: 'codex', name: 'Codex CLI', mode: 'file', installed: true, connection: 'connected' },
        { id: 'cursor', name: 'Cursor', mode: 'manual', installed: true, connection: 'none' },
      ],
    })
    const sub = find(items, 'Connect a Tool')!
    expect(labels(sub.submenu!)).toEqual(['Claude Code', 'Codex CLI — connected', 'Cursor — steps…', 'Aider (not found)', '---', 'Restore or Review in the Dashboard…'])
    expect(sub.submenu![0]!.action).toEqual({ kind: 'connect-tool', toolId: 'claude-code' })
    expect(sub.submenu![1]!.action).toEqual({ kind: 'open-dashboard', view: 'tools' })
    expect(sub.submenu![2]!.action).toEqual({ kind: 'open-dashboard', view: 'tools' })
    expect(sub.submenu![5]!.action).toEqual({ kind: 'open-dashboard', view: 'tools' })
    expect(sub.submenu![3]!.action).toEqual({ kind: 'connect-tool', toolId: 'aider' })
  })
})

describe('trayMenuTemplate', () => {
  it('listening, no providers, usage not read yet: the minimal menu', () => {
    const items = trayMenuTemplate({ status: listening, providers: [] })
    expect(items[0]).toEqual({ type: 'normal', label: 'Listening on 127.0.0.1:7171', enabled: false })
    expect(labels(items)).toEqual([
      'Listening on 127.0.0.1:7171',
      '---',
      'No providers configured',
      '---',
      'Today: …',
      '---',
      'Pause Gateway',
      'Copy Base URL',
      'Connect a Tool…',
      'Open Dashboard…',
      '---',
      'Quit Switchyard',
    ])
    expect(actionOf(items, 'Pause Gateway')).toEqual({ kind: 'toggle-pause' })
    expect(actionOf(items, 'Open Dashboard…')).toEqual({ kind: 'open-dashboard' })
    expect(actionOf(items, 'Quit Switchyard')).toEqual({ kind: 'quit' })
    expect(radios(items)).toEqual([])
  })

  it('copy base URL offers the OpenAI (/v1) and the Anthropic form', () => {
    const copy = find(trayMenuTemplate({ status: listening, providers }), 'Copy Base URL')!
    expect(copy.type).toBe('submenu')
    expect(copy.submenu).toEqual([
      { type: 'normal', label: 'OpenAI SDKs: http://127.0.0.1:7171/v1', action: { kind: 'copy', text: 'http://127.0.0.1:7171/v1' } },
      { type: 'normal', label: 'Anthropic SDKs, Claude Code: http://127.0.0.1:7171', action: { kind: 'copy', text: 'http://127.0.0.1:7171' } },
    ])
  })

  it('paused: says so and offers Resume instead of Pause', () => {
    const items = trayMenuTemplate({ status: { ...listening, state: 'paused' }, providers })
    expect(items[0]!.label).toBe('Paused — 127.0.0.1:7171 answers 503')
    expect(labels(items)).toContain('Resume Gateway')
    expect(labels(items)).not.toContain('Pause Gateway')
    expect(actionOf(items, 'Resume Gateway')).toEqual({ kind: 'toggle-pause' })
  })

  it('error: shows the reason on one short line and offers no pause', () => {
    const reason = `cannot listen on 127.0.0.1:7171: listen EADDRINUSE: address already in use 127.0.0.1:7171\n${'x'.repeat(200)}`
    const items = trayMenuTemplate({ status: { state: 'error', host: '127.0.0.1', port: 7171, error: reason, version: '1' }, providers })
    const line = items[0]!.label!
    expect(line.startsWith('Error: cannot listen on 127.0.0.1:7171: listen EADDRINUSE')).toBe(true)
    expect(line).not.toContain('\n')
    expect(line.length).toBeLessThanOrEqual('Error: '.length + 80)
    expect(line.endsWith('…')).toBe(true)
    expect(labels(items)).not.toContain('Pause Gateway')
    expect(labels(items)).not.toContain('Resume Gateway')
    expect(labels(items)).toContain('Quit Switchyard')
    // The configured address is still what clients will use once the port is free.
    expect(find(items, 'Copy Base URL')!.submenu![0]!.action).toEqual({ kind: 'copy', text: 'http://127.0.0.1:7171/v1' })
  })

  it('starting and stopped have their own status lines', () => {
    expect(statusLine({ state: 'starting', host: '127.0.0.1', port: 7171, version: '1' })).toBe('Starting on 127.0.0.1:7171…')
    expect(statusLine({ state: 'stopped', host: '127.0.0.1', port: 7171, version: '1' })).toBe('Stopped')
    expect(statusLine({ state: 'error', host: 'h', port: 1, version: '1' })).toBe('Error: the gateway is not running')
  })

  it('several providers: one radio each, exactly the active one checked, disabled ones not selectable', () => {
    const items = trayMenuTemplate({ status: { ...listening, activeProvider: 'ollama' }, providers })
    expect(find(items, 'Active provider')).toMatchObject({ enabled: false })
    expect(radios(items)).toEqual([
      { type: 'radio', label: 'vLLM A', checked: false, enabled: true, action: { kind: 'set-active-provider', providerId: 'vllm-a' } },
      { type: 'radio', label: 'Ollama', checked: true, enabled: true, action: { kind: 'set-active-provider', providerId: 'ollama' } },
      { type: 'radio', label: 'OpenAI (disabled)', checked: false, enabled: false, action: { kind: 'set-active-provider', providerId: 'openai' } },
    ])
  })

  it('a provider that is down is marked, and stays selectable', () => {
    const items = trayMenuTemplate({ status: { ...listening, activeProvider: 'ollama' }, providers, down: ['vllm-a', 'openai'] })
    expect(radios(items).map((r) => [r.label, r.enabled])).toEqual([
      ['vLLM A — down', true],
      ['Ollama', true],
      ['OpenAI (disabled)', false], // disabled says more than down
    ])
  })

  it('no active provider: no radio is checked', () => {
    const items = trayMenuTemplate({ status: listening, providers })
    expect(radios(items).every((i) => i.checked === false)).toBe(true)
  })

  it('today: the total and the top three providers with their cost', () => {
    const items = trayMenuTemplate({ status: listening, providers, today })
    const start = labels(items).indexOf('Today: 15,420 tokens · $0.04')
    expect(start).toBeGreaterThan(0)
    expect(labels(items).slice(start, start + 5)).toEqual([
      'Today: 15,420 tokens · $0.04',
      '    vLLM A: 10,000 tokens',
      '    OpenAI: 5,000 tokens · $0.04',
      '    Ollama: 400 tokens',
      '---',
    ])
    expect(items.slice(start, start + 4).every((i) => i.enabled === false && i.action === undefined)).toBe(true)
  })

  it('today with no requests says so', () => {
    const empty: TodayUsage = { day: '2026-05-01', ...totals(0, 0, 0), providers: {} }
    const items = trayMenuTemplate({ status: listening, providers, today: empty })
    expect(labels(items)).toContain('Today: no requests yet')
  })

  it('launch at login and notifications appear as checkboxes when the host supports them', () => {
    const items = trayMenuTemplate({ status: listening, providers, launchAtLogin: true, notifications: false })
    expect(find(items, 'Launch at Login')).toEqual({ type: 'checkbox', label: 'Launch at Login', checked: true, action: { kind: 'toggle-launch-at-login' } })
    expect(find(items, 'Notify About Provider Problems')).toEqual({
      type: 'checkbox',
      label: 'Notify About Provider Problems',
      checked: false,
      action: { kind: 'toggle-notifications' },
    })
    expect(labels(items).slice(-4)).toEqual(['Launch at Login', 'Notify About Provider Problems', '---', 'Quit Switchyard'])
    // Unsupported launch at login (undefined) leaves only the notifications toggle.
    expect(labels(trayMenuTemplate({ status: listening, providers, notifications: true }))).not.toContain('Launch at Login')
  })

  it('a degraded ledger is mentioned under the status line', () => {
    const items = trayMenuTemplate({ status: { ...listening, ledgerWarning: 'usage accounting is degraded: SQLITE_FULL' }, providers })
    expect(items[1]).toEqual({ type: 'normal', label: 'Usage accounting is degraded — see the dashboard', enabled: false })
  })

  it('is plain data (serialisable, no functions)', () => {
    const items = trayMenuTemplate({ status: { ...listening, activeProvider: 'vllm-a' }, providers, today, down: ['ollama'], launchAtLogin: false, notifications: true })
    expect(JSON.parse(JSON.stringify(items))).toEqual(items)
  })
})

describe('helpers', () => {
  it('tooltip names the state, the active provider and today’s tokens', () => {
    expect(trayTooltip({ ...listening, activeProvider: 'ollama' })).toBe('Switchyard — Listening on 127.0.0.1:7171 · ollama')
    expect(trayTooltip(listening, today)).toBe('Switchyard — Listening on 127.0.0.1:7171\nToday: 15,420 tokens · $0.04')
  })

  it('client base URL: loopback for a wildcard bind, brackets for IPv6, no trailing slash', () => {
    expect(clientBaseUrl({ url: 'http://127.0.0.1:7171/', host: '127.0.0.1', port: 7171 })).toBe('http://127.0.0.1:7171')
    expect(clientBaseUrl({ url: 'http://0.0.0.0:7171', host: '0.0.0.0', port: 7171 })).toBe('http://127.0.0.1:7171')
    expect(clientBaseUrl({ host: '::1', port: 7000 })).toBe('http://[::1]:7000')
    expect(clientBaseUrl({ host: '::', port: 7000 })).toBe('http://127.0.0.1:7000')
  })

  it('costs: cents, tiny amounts, zero', () => {
    expect(formatCost(0)).toBe('$0.00')
    expect(formatCost(0.004)).toBe('<$0.01')
    expect(formatCost(12.345)).toBe('$12.35')
  })

  it('top providers: most tokens first, ties by name, limited', () => {
    expect(topProviders(today).map(([id]) => id)).toEqual(['vllm-a', 'openai', 'ollama'])
    expect(topProviders(today, 10).map(([id]) => id)).toEqual(['vllm-a', 'openai', 'ollama', 'tiny'])
    expect(topProviders(undefined)).toEqual([])
    expect(todayLine(undefined)).toBe('Today: …')
  })
})
