import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { ApiHandlers, GatewayStatus, TodayUsage } from '../../../src/shared/api'
import { defaultConfig, parseProvider, type Config } from '../../../src/shared/config'
import { EventHub } from '../../../src/main/gateway/common/events'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { createTrayController, toElectronTemplate } from '../../../src/main/app/tray'
import { createDesktopSettings } from '../../../src/main/app/desktopSettings'
import type { TrayIconState } from '../../../src/main/app/trayIcon'
import { providerStats, snapshot } from './statsFixtures'

function setup(config: Config = { ...defaultConfig(), providers: [provider('a'), provider('b')], activeProvider: 'a' }) {
  let current = config
  let paused = false
  const configListeners = new Set<(c: Config) => void>()
  const events = new EventHub()
  const status = (): GatewayStatus => ({
    state: paused ? 'paused' : 'listening',
    url: 'http://127.0.0.1:7171',
    host: '127.0.0.1',
    port: 7171,
    activeProvider: current.activeProvider,
    version: '1',
  })
  const menus: MenuItemConstructorOptions[][] = []
  const tooltips: string[] = []
  const setActiveProvider = vi.fn(async ({ id }: { id: string }) => {
    current = { ...current, activeProvider: id }
    configListeners.forEach((l) => l(current))
    events.emit('status', status())
    return status()
  })
  let usage: TodayUsage = { day: '2026-05-01', requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, providers: {} }
  const getTodayUsage = vi.fn(async () => usage)
  const icons: TrayIconState[] = []
  const settingsValues = new Map<string, unknown>()
  let loginItem = false
  const settings = createDesktopSettings({
    store: { get: (k) => settingsValues.get(k), set: (k, v) => void settingsValues.set(k, v) },
    loginItem: { supported: true, get: () => loginItem, set: (v) => void (loginItem = v) },
    secretStorage: 'os',
  })
  const copied: string[] = []
  const deps = {
    tray: {
      setContextMenu: (m: MenuItemConstructorOptions[]) => menus.push(m),
      setToolTip: (t: string) => tooltips.push(t),
      setImage: (state: TrayIconState) => icons.push(state),
    },
    buildMenu: (template: MenuItemConstructorOptions[]) => template,
    icon: (state: TrayIconState) => state,
    settings,
    copyText: (text: string) => copied.push(text),
    usageRefreshMs: 30_000,
    gateway: {
      status,
      events,
      api: { setActiveProvider, getTodayUsage } as unknown as ApiHandlers,
      setPaused: vi.fn((next: boolean) => {
        paused = next
        events.emit('status', status())
      }),
    },
    configStore: {
      get: () => current,
      subscribe: (l: (c: Config) => void) => {
        configListeners.add(l)
        return () => configListeners.delete(l)
      },
    },
    openDashboard: vi.fn(),
    quit: vi.fn(),
    logger: silentLogger(),
  }
  const controller = createTrayController(deps)
  const click = (label: string): void => {
    const all = menus.at(-1)!.flatMap((i) => [i, ...((i.submenu as MenuItemConstructorOptions[] | undefined) ?? [])])
    const item = all.find((i) => i.label === label)
    if (!item?.click) throw new Error(`no clickable item ${label}`)
    ;(item.click as () => void)()
  }
  const setUsage = (next: TodayUsage): void => void (usage = next)
  return { controller, deps, menus, tooltips, icons, click, events, status, setActiveProvider, getTodayUsage, setUsage, configListeners, copied, settingsValues, isLoginItem: () => loginItem }
}

function provider(id: string): Config['providers'][number] {
  const parsed = parseProvider({ id, kind: 'openai-compatible', baseUrl: `http://127.0.0.1:1/${id}/v1` })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.provider
}

const labelsOf = (menu: MenuItemConstructorOptions[]) => menu.map((i) => i.label)

describe('tray controller', () => {
  it('applies the menu, tooltip and icon at start, then once more when today’s usage arrived', async () => {
    const { menus, tooltips, icons, getTodayUsage } = setup()
    expect(menus[0]![0]!.label).toBe('Listening on 127.0.0.1:7171')
    expect(labelsOf(menus[0]!)).toContain('Today: …')
    expect(tooltips[0]).toBe('Switchyard — Listening on 127.0.0.1:7171 · a')
    expect(icons).toEqual(['running'])
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    expect(getTodayUsage).toHaveBeenCalledTimes(1)
    expect(labelsOf(menus[1]!)).toContain('Today: no requests yet')
    expect(tooltips.at(-1)).toBe('Switchyard — Listening on 127.0.0.1:7171 · a\nToday: no requests yet')
  })

  it('rebuilds only when something in the menu changed', async () => {
    const { menus, events, status } = setup()
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    events.emit('status', status())
    events.emit('status', status())
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(menus).toHaveLength(2) // nothing changed: an open native menu is left alone
  })

  it('re-reads today’s usage on a slow timer and on status events, not on stats ticks', async () => {
    vi.useFakeTimers()
    try {
      const { menus, events, status, getTodayUsage, setUsage } = setup()
      await vi.advanceTimersByTimeAsync(0)
      expect(getTodayUsage).toHaveBeenCalledTimes(1)
      for (let i = 0; i < 20; i++) events.emit('stats', snapshot({ at: i }))
      await vi.advanceTimersByTimeAsync(20_000)
      expect(getTodayUsage).toHaveBeenCalledTimes(1)
      const totals = { requests: 2, promptTokens: 900, completionTokens: 334, totalTokens: 1234, costUsd: 0.5 }
      setUsage({ day: '2026-05-01', ...totals, providers: { a: totals } })
      await vi.advanceTimersByTimeAsync(10_000)
      expect(getTodayUsage).toHaveBeenCalledTimes(2)
      expect(labelsOf(menus.at(-1)!)).toContain('Today: 1,234 tokens · $0.50')
      expect(labelsOf(menus.at(-1)!)).toContain('    a: 1,234 tokens · $0.50')
      events.emit('status', status())
      await vi.advanceTimersByTimeAsync(0)
      expect(getTodayUsage).toHaveBeenCalledTimes(3)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a provider going down changes the icon and marks it; coming back restores both', async () => {
    const { menus, icons, events } = setup()
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    events.emit('stats', snapshot({ providers: { a: providerStats({ health: 'closed' }), b: providerStats({ health: 'open' }) } }))
    expect(icons.at(-1)).toBe('degraded')
    expect(labelsOf(menus.at(-1)!)).toContain('b — down')
    const built = menus.length
    events.emit('stats', snapshot({ providers: { a: providerStats({ health: 'closed' }), b: providerStats({ health: 'open' }) } }))
    expect(menus).toHaveLength(built) // same health: no rebuild
    events.emit('stats', snapshot({ providers: { a: providerStats({ health: 'closed' }), b: providerStats({ health: 'closed' }) } }))
    expect(icons.at(-1)).toBe('running')
    expect(labelsOf(menus.at(-1)!)).toContain('b')
  })

  it('paused shows the paused icon', () => {
    const { click, icons } = setup()
    click('Pause Gateway')
    expect(icons.at(-1)).toBe('paused')
  })

  it('copy base URL writes the chosen form to the clipboard', () => {
    const { click, copied } = setup()
    click('OpenAI SDKs: http://127.0.0.1:7171/v1')
    click('Anthropic SDKs, Claude Code: http://127.0.0.1:7171')
    expect(copied).toEqual(['http://127.0.0.1:7171/v1', 'http://127.0.0.1:7171'])
  })

  it('launch at login and notifications toggle the desktop settings and the checks follow', () => {
    const { click, menus, settingsValues, isLoginItem } = setup()
    const checked = (label: string) => menus.at(-1)!.find((i) => i.label === label)!.checked
    expect(checked('Launch at Login')).toBe(false)
    click('Launch at Login')
    expect(isLoginItem()).toBe(true)
    expect(checked('Launch at Login')).toBe(true)
    click('Notify About Provider Problems')
    expect(settingsValues.get('notifications')).toBe(true)
    expect(checked('Notify About Provider Problems')).toBe(true)
  })

  it('clicking a provider calls setActiveProvider and the menu follows the change', async () => {
    const { click, menus, setActiveProvider } = setup()
    click('b')
    expect(setActiveProvider).toHaveBeenCalledWith({ id: 'b' })
    await vi.waitFor(() => expect(menus.length).toBeGreaterThan(1))
    const radios = menus.at(-1)!.filter((i) => i.type === 'radio')
    expect(radios.map((r) => [r.label, r.checked])).toEqual([
      ['a', false],
      ['b', true],
    ])
  })

  it('a failed switch puts the radio check back (forced rebuild)', async () => {
    const { click, menus, setActiveProvider } = setup()
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    setActiveProvider.mockRejectedValueOnce(new Error('nope'))
    click('b')
    await vi.waitFor(() => expect(menus).toHaveLength(3))
    expect(menus[2]!.find((i) => i.label === 'a')!.checked).toBe(true)
  })

  it('pause toggles the gateway and the label flips to Resume', () => {
    const { click, menus, deps } = setup()
    click('Pause Gateway')
    expect(deps.gateway.setPaused).toHaveBeenCalledWith(true)
    expect(menus.at(-1)!.some((i) => i.label === 'Resume Gateway')).toBe(true)
    click('Resume Gateway')
    expect(deps.gateway.setPaused).toHaveBeenLastCalledWith(false)
  })

  it('Connect a Tool… opens the dashboard on the Tools screen; Open Dashboard… where it was', () => {
    const { click, deps } = setup()
    click('Connect a Tool…')
    click('Open Dashboard…')
    expect(deps.openDashboard.mock.calls).toEqual([['tools'], [undefined]])
  })

  it('open dashboard and quit call the host', () => {
    const { click, deps } = setup()
    click('Open Dashboard…')
    click('Quit Switchyard')
    expect(deps.openDashboard).toHaveBeenCalledTimes(1)
    expect(deps.quit).toHaveBeenCalledTimes(1)
  })

  it('dispose stops listening', async () => {
    const { controller, events, status, menus, configListeners } = setup()
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    controller.dispose()
    expect(events.count('status')).toBe(0)
    expect(events.count('stats')).toBe(0)
    expect(configListeners.size).toBe(0)
    events.emit('status', { ...status(), state: 'error', error: 'x' })
    expect(menus).toHaveLength(2)
  })
})

describe('toElectronTemplate', () => {
  it('keeps informational items inert and wires actions to click', () => {
    const dispatch = vi.fn()
    const template = toElectronTemplate(
      [
        { type: 'normal', label: 'info', enabled: false },
        { type: 'separator' },
        { type: 'normal', label: 'Quit', action: { kind: 'quit' } },
      ],
      dispatch,
    )
    expect(template[0]).toEqual({ type: 'normal', label: 'info', enabled: false })
    expect(template[1]).toEqual({ type: 'separator' })
    ;(template[2]!.click as () => void)()
    expect(dispatch).toHaveBeenCalledWith({ kind: 'quit' })
  })
})
