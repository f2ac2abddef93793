import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import type { UpdateChannel, UpdateStatus } from '../../../src/shared/api'
import {
  checkDue,
  createUpdateController,
  initialUpdater,
  releaseNotesText,
  updaterReducer,
  updateSupport,
  type AutoUpdaterLike,
  type UpdaterEvent,
  type UpdaterModel,
} from '../../../src/main/app/updater'

const base = (enabled = true, channel: UpdateChannel = 'stable') => initialUpdater({ currentVersion: '1.0.0', enabled, channel })
const run = (model: UpdaterModel, ...events: UpdaterEvent[]) => events.reduce(updaterReducer, model)

describe('updater state machine', () => {
  it('idle -> checking -> available -> downloading -> downloaded', () => {
    const m = run(
      base(),
      { type: 'check-started' },
      { type: 'update-available', version: '1.1.0', releaseNotes: 'Faster.' },
      { type: 'download-progress', percent: 41.6 },
    )
    expect(m.status).toMatchObject({ state: 'downloading', version: '1.1.0', percent: 42, releaseNotes: 'Faster.' })
    const done = run(m, { type: 'update-downloaded', version: '1.1.0', at: 5 })
    expect(done.status).toEqual({ state: 'downloaded', version: '1.1.0', releaseNotes: 'Faster.', currentVersion: '1.0.0', channel: 'stable', lastCheckAt: 5 })
  })

  it('no update: back to idle with the time of the check; an error is shown until the next check', () => {
    expect(run(base(), { type: 'check-started' }, { type: 'update-not-available', at: 9 }).status).toMatchObject({ state: 'idle', lastCheckAt: 9 })
    const failed = run(base(), { type: 'check-started' }, { type: 'error', message: 'net::ERR_INTERNET_DISCONNECTED', at: 3 })
    expect(failed.status).toMatchObject({ state: 'error', reason: 'net::ERR_INTERNET_DISCONNECTED', lastCheckAt: 3 })
    expect(run(failed, { type: 'check-started' }).status.state).toBe('checking')
  })

  it('a downloaded update stays on offer: later errors, checks and turning updates off do not lose it', () => {
    const done = run(base(), { type: 'update-downloaded', version: '2.0.0', at: 1 })
    for (const e of [{ type: 'error', message: 'x', at: 2 }, { type: 'check-started' }, { type: 'update-not-available', at: 3 }, { type: 'configure', enabled: false, channel: 'stable' }] as UpdaterEvent[]) {
      expect(updaterReducer(done, e).status.state).toBe('downloaded')
    }
  })

  it('the setting turns it off and on; the channel follows the setting', () => {
    const off = run(base(), { type: 'configure', enabled: false, channel: 'stable' })
    expect(off).toMatchObject({ enabled: false, status: { state: 'disabled' } })
    const on = run(off, { type: 'configure', enabled: true, channel: 'beta' })
    expect(on).toMatchObject({ enabled: true, status: { state: 'idle', channel: 'beta' } })
  })

  it('unsupported (development runs, feed-less builds) ignores every event', () => {
    const u = initialUpdater({ currentVersion: '1', enabled: true, channel: 'stable', unsupportedReason: 'dev' })
    expect(run(u, { type: 'check-started' }, { type: 'update-downloaded', version: '9', at: 1 })).toBe(u)
  })

  it('is due daily while idle, after an error or with an update on offer, never while busy or off', () => {
    const day = 24 * 3600_000
    expect(checkDue(base(), 0)).toBe(true) // never checked
    const checked = run(base(), { type: 'update-not-available', at: 1000 })
    expect(checkDue(checked, 1000 + day - 1)).toBe(false)
    expect(checkDue(checked, 1000 + day)).toBe(true)
    expect(checkDue(run(base(), { type: 'check-started' }), 10 * day)).toBe(false)
    expect(checkDue(base(false), 10 * day)).toBe(false)
  })
})

describe('releaseNotesText', () => {
  it('turns GitHub HTML into plain text (no markup reaches the dashboard)', () => {
    expect(releaseNotesText('<h2>1.1</h2><ul><li>Fix &amp; speed</li><li><script>x</script>y</li></ul>')).toBe('1.1\n• Fix & speed\n• xy')
    expect(releaseNotesText([{ version: '1.1.0', note: '<p>A</p>' }, { version: '1.0.5', note: null }])).toBe('1.1.0\nA\n\n1.0.5')
    expect(releaseNotesText(null)).toBeUndefined()
    expect(releaseNotesText('x'.repeat(5000))!.length).toBe(4000)
  })
})

describe('updateSupport', () => {
  const packaged = { isPackaged: true, platform: 'darwin' as const, env: {}, hasFeed: true }
  it('never in unpackaged runs, dev builds without a feed, or Linux installs that are neither AppImage nor deb', () => {
    expect(updateSupport(packaged)).toBeUndefined()
    expect(updateSupport({ ...packaged, isPackaged: false })).toMatch(/development run/)
    expect(updateSupport({ ...packaged, hasFeed: false })).toMatch(/no update feed/)
    expect(updateSupport({ ...packaged, env: { SWITCHYARD_DISABLE_UPDATES: '1' } })).toMatch(/SWITCHYARD_DISABLE_UPDATES/)
    expect(updateSupport({ ...packaged, platform: 'linux' })).toMatch(/AppImage/)
    expect(updateSupport({ ...packaged, platform: 'linux', env: { APPIMAGE: '/a.AppImage' } })).toBeUndefined()
    expect(updateSupport({ ...packaged, platform: 'linux', packageType: 'deb' })).toBeUndefined()
  })
})

/** electron-updater's AppUpdater as far as the controller uses it; checkForUpdates plays a scripted feed. */
class FakeUpdater extends EventEmitter implements AutoUpdaterLike {
  autoDownload = false
  autoInstallOnAppQuit = false
  allowPrerelease = false
  allowDowngrade = true
  channel: string | null = null
  feed: 'none' | { version: string } | 'offline' = 'none'
  checks = 0
  quitAndInstall = vi.fn()
  async checkForUpdates(): Promise<unknown> {
    this.checks++
    this.emit('checking-for-update')
    if (this.feed === 'offline') {
      this.emit('error', new Error('getaddrinfo ENOTFOUND github.com\nmore'))
      throw new Error('getaddrinfo ENOTFOUND github.com')
    }
    if (this.feed === 'none') {
      this.emit('update-not-available', { version: '1.0.0' })
      return null
    }
    const info = { version: this.feed.version, releaseNotes: '<p>New</p>' }
    this.emit('update-available', info)
    this.emit('download-progress', { percent: 50 })
    this.emit('update-downloaded', info)
    return { updateInfo: info }
  }
}

function manualTimers() {
  const timeouts: { fn: () => void; ms: number }[] = []
  const intervals: { fn: () => void; ms: number }[] = []
  return {
    timeouts,
    intervals,
    timers: {
      setTimeout: (fn: () => void, ms: number) => (timeouts.push({ fn, ms }), timeouts.length),
      setInterval: (fn: () => void, ms: number) => (intervals.push({ fn, ms }), -intervals.length),
      clear: vi.fn(),
    },
  }
}

function controller(over: Partial<Parameters<typeof createUpdateController>[0]> = {}) {
  let now = 1_000_000
  const updater = new FakeUpdater()
  const settings = { auto: true, channel: 'stable' as UpdateChannel }
  const clock = manualTimers()
  const seen: UpdateStatus[] = []
  const prepareRestart = vi.fn(async () => undefined)
  const c = createUpdateController({
    updater,
    currentVersion: '1.0.0',
    settings: { autoUpdate: () => settings.auto, channel: () => settings.channel },
    prepareRestart,
    onChange: (s) => seen.push(s),
    now: () => now,
    timers: clock.timers,
    ...over,
  })
  return { c, updater, settings, clock, seen, prepareRestart, advance: (ms: number) => (now += ms) }
}

describe('update controller', () => {
  it('downloads in the background on the stable channel, checks at start and then once a day', async () => {
    const { c, updater, clock, advance } = controller()
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, allowPrerelease: false, allowDowngrade: false, channel: 'latest' })
    expect(clock.timeouts.map((t) => t.ms)).toEqual([15_000])
    clock.timeouts[0]!.fn()
    await new Promise((resolve) => setTimeout(resolve, 0)) // the check settles
    expect(c.status()).toMatchObject({ state: 'idle', lastCheckAt: 1_000_000 })
    expect(updater.checks).toBe(1)
    const tick = clock.intervals[0]!
    advance(23 * 3600_000)
    tick.fn()
    expect(updater.checks).toBe(1) // not a day yet
    advance(3600_000)
    tick.fn()
    await vi.waitFor(() => expect(updater.checks).toBe(2))
  })

  it('an update is announced step by step and installs only after the gateway drained and the ledger flushed', async () => {
    const order: string[] = []
    const { c, updater, seen, prepareRestart } = controller({ prepareRestart: async () => void order.push('drained') })
    updater.quitAndInstall.mockImplementation(() => void order.push('quitAndInstall'))
    updater.feed = { version: '1.2.0' }
    await expect(c.install()).rejects.toMatchObject({ code: 'conflict' }) // nothing downloaded yet
    await c.check()
    expect(seen.map((s) => s.state)).toEqual(['checking', 'available', 'downloading', 'downloaded'])
    expect(c.status()).toMatchObject({ state: 'downloaded', version: '1.2.0', releaseNotes: 'New' })
    await c.install()
    expect(order).toEqual(['drained', 'quitAndInstall'])
    expect(updater.quitAndInstall).toHaveBeenCalledWith(false, true)
    expect(prepareRestart).not.toHaveBeenCalled() // replaced above
  })

  it('turned off: no automatic checks, a manual check still works; beta switches the feed to pre-releases', async () => {
    const { c, updater, settings, clock } = controller()
    settings.auto = false
    c.applySettings()
    expect(c.status().state).toBe('disabled')
    clock.timeouts[0]!.fn()
    clock.intervals[0]!.fn()
    expect(updater.checks).toBe(0)
    await c.check()
    expect(updater.checks).toBe(1)
    settings.auto = true
    settings.channel = 'beta'
    c.applySettings()
    expect(updater).toMatchObject({ allowPrerelease: true, channel: 'beta' })
    expect(c.status()).toMatchObject({ state: 'idle', channel: 'beta' })
  })

  it('an offline check ends in error with one line, and the next check can succeed', async () => {
    const { c, updater } = controller()
    updater.feed = 'offline'
    await c.check()
    expect(c.status()).toMatchObject({ state: 'error', reason: 'getaddrinfo ENOTFOUND github.com' })
    updater.feed = 'none'
    await c.check()
    expect(c.status().state).toBe('idle')
  })

  it('without an updater (unpackaged) it is unsupported, schedules nothing and refuses to install', async () => {
    const clock = manualTimers()
    const c = createUpdateController({
      unsupportedReason: 'updates are installed only in packaged builds; this is a development run',
      currentVersion: '1',
      settings: { autoUpdate: () => true, channel: () => 'stable' },
      prepareRestart: async () => undefined,
      timers: clock.timers,
    })
    expect(c.status()).toMatchObject({ state: 'unsupported', reason: expect.stringContaining('development run') })
    expect(clock.timeouts).toHaveLength(0)
    expect(await c.check()).toMatchObject({ state: 'unsupported' })
    await expect(c.install()).rejects.toMatchObject({ code: 'conflict' })
  })
})
