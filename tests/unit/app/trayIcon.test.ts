import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { TRAY_ICON_STATES, trayIconFile, trayIconState } from '../../../src/main/app/trayIcon'

const resources = path.resolve(import.meta.dirname, '../../../resources')

describe('tray icon', () => {
  it('shows the most urgent state', () => {
    expect(trayIconState({ state: 'listening' }, [])).toBe('running')
    expect(trayIconState({ state: 'listening' }, ['ollama'])).toBe('degraded')
    expect(trayIconState({ state: 'paused' }, ['ollama'])).toBe('paused')
    expect(trayIconState({ state: 'error' }, [])).toBe('error')
    expect(trayIconState({ state: 'stopped' }, [])).toBe('error')
  })

  it('every state has its asset on every platform (template + @2x on macOS, .ico on Windows, PNG + @2x on Linux)', () => {
    for (const state of TRAY_ICON_STATES) {
      const mac = trayIconFile(resources, state, 'darwin')
      expect(mac).toMatch(/Template\.png$/)
      expect(fs.existsSync(mac), mac).toBe(true)
      expect(fs.existsSync(mac.replace(/\.png$/, '@2x.png')), mac).toBe(true)
      const win = trayIconFile(resources, state, 'win32')
      expect(fs.readFileSync(win).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])) // ICO header
      const linux = trayIconFile(resources, state, 'linux')
      expect(fs.readFileSync(linux).subarray(1, 4).toString()).toBe('PNG')
      expect(fs.existsSync(linux.replace(/\.png$/, '@2x.png')), linux).toBe(true)
    }
  })
})
