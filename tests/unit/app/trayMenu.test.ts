import { describe, expect, it } from 'vitest'
import type { GatewayStatus } from '../../../src/shared/api'
import { statusLine, trayMenuTemplate, trayTooltip, type TrayMenuItem, type TrayState } from '../../../src/main/app/trayMenu'

const listening: GatewayStatus = { state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1.0.0' }
const providers: TrayState['providers'] = [
  { id: 'vllm-a', name: 'vLLM A', enabled: true },
  { id: 'ollama', name: 'Ollama', enabled: true },
  { id: 'openai', name: 'OpenAI', enabled: false },
]

const labels = (items: TrayMenuItem[]): (string | undefined)[] => items.map((i) => (i.type === 'separator' ? '---' : i.label))
const radios = (items: TrayMenuItem[]): TrayMenuItem[] => items.filter((i) => i.type === 'radio')
const actionOf = (items: TrayMenuItem[], label: string) => items.find((i) => i.label === label)?.action

describe('trayMenuTemplate', () => {
  it('listening: status line with the address, a disabled header, pause, dashboard and quit', () => {
    const items = trayMenuTemplate({ status: listening, providers: [] })
    expect(items[0]).toEqual({ type: 'normal', label: 'Listening on 127.0.0.1:7171', enabled: false })
    expect(labels(items)).toEqual([
      'Listening on 127.0.0.1:7171',
      '---',
      'No providers configured',
      '---',
      'Pause Gateway',
      'Open Dashboard…',
      '---',
      'Quit Switchyard',
    ])
    expect(actionOf(items, 'Pause Gateway')).toEqual({ kind: 'toggle-pause' })
    expect(actionOf(items, 'Open Dashboard…')).toEqual({ kind: 'open-dashboard' })
    expect(actionOf(items, 'Quit Switchyard')).toEqual({ kind: 'quit' })
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
  })

  it('starting and stopped have their own status lines', () => {
    expect(statusLine({ state: 'starting', host: '127.0.0.1', port: 7171, version: '1' })).toBe('Starting on 127.0.0.1:7171…')
    expect(statusLine({ state: 'stopped', host: '127.0.0.1', port: 7171, version: '1' })).toBe('Stopped')
    expect(statusLine({ state: 'error', host: 'h', port: 1, version: '1' })).toBe('Error: the gateway is not running')
  })

  it('no providers: a disabled hint and no radio items', () => {
    const items = trayMenuTemplate({ status: listening, providers: [] })
    expect(radios(items)).toEqual([])
    expect(items.find((i) => i.label === 'No providers configured')).toMatchObject({ enabled: false })
    expect(items.some((i) => i.action?.kind === 'set-active-provider')).toBe(false)
  })

  it('several providers: one radio each, exactly the active one checked, disabled ones not selectable', () => {
    const items = trayMenuTemplate({ status: { ...listening, activeProvider: 'ollama' }, providers })
    expect(items.find((i) => i.label === 'Active provider')).toMatchObject({ enabled: false })
    expect(radios(items)).toEqual([
      { type: 'radio', label: 'vLLM A', checked: false, enabled: true, action: { kind: 'set-active-provider', providerId: 'vllm-a' } },
      { type: 'radio', label: 'Ollama', checked: true, enabled: true, action: { kind: 'set-active-provider', providerId: 'ollama' } },
      { type: 'radio', label: 'OpenAI (disabled)', checked: false, enabled: false, action: { kind: 'set-active-provider', providerId: 'openai' } },
    ])
  })

  it('no active provider: no radio is checked', () => {
    const items = trayMenuTemplate({ status: listening, providers })
    expect(radios(items).every((i) => i.checked === false)).toBe(true)
  })

  it('is plain data (serialisable, no functions)', () => {
    const items = trayMenuTemplate({ status: { ...listening, activeProvider: 'vllm-a' }, providers })
    expect(JSON.parse(JSON.stringify(items))).toEqual(items)
  })

  it('tooltip names the state and the active provider', () => {
    expect(trayTooltip({ ...listening, activeProvider: 'ollama' })).toBe('Switchyard — Listening on 127.0.0.1:7171 · ollama')
    expect(trayTooltip(listening)).toBe('Switchyard — Listening on 127.0.0.1:7171')
  })
})
