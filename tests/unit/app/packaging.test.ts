// The electron-builder config and what the packaged app needs at run time: tray icons beside
// app.asar, the SQLite addon unpacked and rebuilt for Electron at packaging time, a hardened
// runtime with its entitlements, and no install step that downloads anything.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { TRAY_ICON_STATES, trayIconFile } from '../../../src/main/app/trayIcon'

const root = path.resolve(import.meta.dirname, '../../..')
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  files: string[]
  extraResources: { from: string; to: string; filter: string[] }[]
  asarUnpack: string[]
  npmRebuild: boolean
  mac: { target: { target: string }[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; icon: string }
  win: { target: { target: string }[]; icon: string }
  linux: { target: string[]; icon: string }
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> }

/** Enough of electron-builder's glob matching for the filters used here (`*` within a name). */
const matches = (pattern: string, file: string): boolean => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(file)

describe('packaging (electron-builder.yml)', () => {
  it('targets dmg, nsis, AppImage and deb', () => {
    expect(config.mac.target.map((t) => t.target)).toContain('dmg')
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    for (const icon of [config.mac.icon, config.win.icon, config.linux.icon]) expect(fs.existsSync(path.join(root, icon)), icon).toBe(true)
  })

  it('ships every tray icon next to app.asar, where desktopApp.ts looks for them when packaged', () => {
    const resources = config.extraResources.find((r) => r.from === 'resources' && r.to === 'resources')!
    for (const state of TRAY_ICON_STATES) {
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        const file = path.basename(trayIconFile('/r', state, platform))
        expect(resources.filter.some((f) => matches(f, file)), file).toBe(true)
        if (platform !== 'win32') expect(resources.filter.some((f) => matches(f, file.replace('.png', '@2x.png'))), file).toBe(true)
      }
    }
  })

  it('packs the built app, unpacks native addons and rebuilds them for Electron at packaging time only', () => {
    expect(pkg.main.startsWith('out/')).toBe(true)
    expect(config.files).toContain('out/**')
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.npmRebuild).toBe(true)
    // `npm install` must not download or rebuild anything for Electron.
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined()
  })

  it('signs macOS builds with the hardened runtime and only the JIT entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true)
    const plist = fs.readFileSync(path.join(root, config.mac.entitlements), 'utf8')
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])
    expect(keys).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory'])
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements)
  })
})
