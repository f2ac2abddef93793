import { describe, expect, it } from 'vitest'
import { updateView } from '../../../src/renderer/src/logic/updateView'

const base = { currentVersion: '1.0.0', channel: 'stable' as const }

describe('updateView', () => {
  it('offers the right button for each state', () => {
    expect(updateView(undefined).visible).toBe(false)
    expect(updateView({ ...base, state: 'idle' })).toMatchObject({ action: 'check', busy: false, line: 'Switchyard 1.0.0 is up to date.' })
    expect(updateView({ ...base, state: 'disabled' })).toMatchObject({ action: 'check', line: 'Switchyard 1.0.0. Automatic updates are off.' })
    expect(updateView({ ...base, state: 'checking' })).toEqual({ visible: true, line: 'Checking for updates…', busy: true })
    expect(updateView({ ...base, state: 'downloading', version: '1.1.0', percent: 12 })).toMatchObject({ busy: true, line: 'Downloading version 1.1.0 — 12%' })
    expect(updateView({ ...base, state: 'downloaded', version: '1.1.0', releaseNotes: 'Notes' })).toMatchObject({ action: 'install', notes: 'Notes' })
    expect(updateView({ ...base, state: 'error', reason: 'offline' })).toMatchObject({ action: 'check', line: 'The last update check failed: offline.' })
    expect(updateView({ ...base, state: 'unsupported', reason: 'a development run' })).toEqual({ visible: true, busy: false, line: 'Switchyard 1.0.0. Automatic updates are not available: a development run.' })
  })
})
