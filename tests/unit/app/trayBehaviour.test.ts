import { describe, expect, it } from 'vitest'
import { launchWindowDecision, trayBehaviour } from '../../../src/main/app/trayBehaviour'
import { trayMenuTemplate, updateItems } from '../../../src/main/app/trayMenu'
import type { GatewayStatus, UpdateStatus } from '../../../src/shared/api'

const status: GatewayStatus = { state: 'listening', url: 'http://127.0.0.1:7171', host: '127.0.0.1', port: 7171, version: '1' }
const update = (over: Partial<UpdateStatus>): UpdateStatus => ({ state: 'idle', currentVersion: '1.0.0', channel: 'stable', ...over })
const labels = (platform: NodeJS.Platform, extra: object = {}) =>
  trayMenuTemplate({ status, providers: [], openDashboardFirst: trayBehaviour(platform).openDashboardFirst, ...extra }).map((i) => i.label ?? `(${i.type})`)

describe('tray behaviour per OS', () => {
  it('macOS: template icons, a click opens the menu', () => {
    expect(trayBehaviour('darwin')).toEqual({ icons: 'template', clickOpensDashboard: false, openDashboardFirst: false })
  })
  it('Windows: a click opens the dashboard, the menu is on right click', () => {
    expect(trayBehaviour('win32')).toEqual({ icons: 'ico', clickOpensDashboard: true, openDashboardFirst: false })
  })
  it('Linux: the menu comes first and leads with Open Dashboard', () => {
    expect(trayBehaviour('linux').openDashboardFirst).toBe(true)
    expect(labels('linux').slice(0, 3)).toEqual(['Open Dashboard…', '(separator)', 'Listening on 127.0.0.1:7171'])
    expect(labels('linux').filter((l) => l === 'Open Dashboard…')).toHaveLength(1)
    expect(labels('darwin')[0]).toBe('Listening on 127.0.0.1:7171')
    expect(labels('darwin')).toContain('Open Dashboard…')
  })
})

describe('update items in the tray menu', () => {
  it('"Restart to Update" once downloaded; progress while downloading; nothing when unsupported', () => {
    expect(updateItems(update({ state: 'downloaded', version: '1.2.0' }))).toEqual([{ type: 'normal', label: 'Restart to Update (1.2.0)', action: { kind: 'install-update' } }])
    expect(updateItems(update({ state: 'downloading', version: '1.2.0', percent: 40 }))[0]).toMatchObject({ label: 'Downloading update 1.2.0 — 40%', enabled: false })
    expect(updateItems(update({ state: 'unsupported' }))).toEqual([])
    expect(labels('darwin', { update: update({ state: 'idle' }) })).toContain('Check for Updates')
    expect(labels('darwin', { update: update({ state: 'unsupported' }) })).not.toContain('Check for Updates')
    expect(labels('darwin', { update: update({ state: 'downloaded', version: '2.0.0' }) })).toContain('Restart to Update (2.0.0)')
  })

  it('after a start-up failure the menu offers the log and a restart', () => {
    expect(labels('win32', { startupFailed: true, status: { ...status, state: 'error', error: 'x' } })).toEqual(expect.arrayContaining(['Show Log File', 'Restart Switchyard']))
    expect(labels('win32')).not.toContain('Show Log File')
  })
})

describe('first launch', () => {
  const facts = { hidden: false, openedAtLogin: false, showRequested: false, firstLaunchDone: false }
  it('opens the dashboard once, then later launches start in the tray', () => {
    expect(launchWindowDecision(facts)).toEqual({ showWindow: true, markFirstLaunchDone: true })
    expect(launchWindowDecision({ ...facts, firstLaunchDone: true })).toEqual({ showWindow: false, markFirstLaunchDone: false })
  })
  it('a login launch stays in the tray and does not use up the first launch; a second launch always shows it', () => {
    expect(launchWindowDecision({ ...facts, hidden: true })).toEqual({ showWindow: false, markFirstLaunchDone: false })
    expect(launchWindowDecision({ ...facts, openedAtLogin: true })).toEqual({ showWindow: false, markFirstLaunchDone: false })
    expect(launchWindowDecision({ ...facts, firstLaunchDone: true, showRequested: true })).toEqual({ showWindow: true, markFirstLaunchDone: false })
  })
})
