import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { ApiHandlers, GatewayStatus } from '../../../src/shared/api'
import { defaultConfig, parseProvider, type Config } from '../../../src/shared/config'
import { EventHub } from '../../../src/main/gateway/events'
import { silentLogger } from '../../../src/main/gateway/log'
import { createTrayController, toElectronTemplate } from '../../../src/main/app/tray'

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
  const deps = {
    tray: { setContextMenu: (m: MenuItemConstructorOptions[]) => menus.push(m), setToolTip: (t: string) => tooltips.push(t) },
    buildMenu: (template: MenuItemConstructorOptions[]) => template,
    gateway: {
      status,
      events,
      api: { setActiveProvider } as unknown as ApiHandlers,
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
    const item = menus.at(-1)!.find((i) => i.label === label)
    if (!item?.click) throw new Error(`no clickable item ${label}`)
    ;(item.click as () => void)()
  }
  return { controller, deps, menus, tooltips, click, events, status, setActiveProvider, configListeners }
}

function provider(id: string): Config['providers'][number] {
  const parsed = parseProvider({ id, kind: 'openai-compatible', baseUrl: `http://127.0.0.1:1/${id}/v1` })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.provider
}

describe('tray controller', () => {
  it('applies the menu and tooltip once at start', () => {
    const { menus, tooltips } = setup()
    expect(menus).toHaveLength(1)
    expect(menus[0]![0]!.label).toBe('Listening on 127.0.0.1:7171')
    expect(tooltips).toEqual(['Switchyard — Listening on 127.0.0.1:7171 · a'])
  })

  it('rebuilds only when a status event or config change alters the menu', () => {
    const { menus, events, status } = setup()
    events.emit('status', status())
    events.emit('status', status())
    expect(menus).toHaveLength(1) // nothing changed: an open native menu is left alone
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
    setActiveProvider.mockRejectedValueOnce(new Error('nope'))
    click('b')
    await vi.waitFor(() => expect(menus).toHaveLength(2))
    expect(menus[1]!.find((i) => i.label === 'a')!.checked).toBe(true)
  })

  it('pause toggles the gateway and the label flips to Resume', () => {
    const { click, menus, deps } = setup()
    click('Pause Gateway')
    expect(deps.gateway.setPaused).toHaveBeenCalledWith(true)
    expect(menus.at(-1)!.some((i) => i.label === 'Resume Gateway')).toBe(true)
    click('Resume Gateway')
    expect(deps.gateway.setPaused).toHaveBeenLastCalledWith(false)
  })

  it('open dashboard and quit call the host', () => {
    const { click, deps } = setup()
    click('Open Dashboard…')
    click('Quit Switchyard')
    expect(deps.openDashboard).toHaveBeenCalledTimes(1)
    expect(deps.quit).toHaveBeenCalledTimes(1)
  })

  it('dispose stops listening', () => {
    const { controller, events, status, menus, configListeners } = setup()
    controller.dispose()
    expect(events.count('status')).toBe(0)
    expect(configListeners.size).toBe(0)
    events.emit('status', { ...status(), state: 'error', error: 'x' })
    expect(menus).toHaveLength(1)
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
