// The electron-builder config and what the packaged app needs at run time: tray icons beside
// app.asar, the SQLite addon unpacked and rebuilt for Electron at packaging time, a hardened
// runtime with its entitlements, and no install step that downloads anything.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { TRAY_ICON_STATES, trayIconFile } from '../../../src/main/app/trayIcon'
import { APP_ID } from '../../../src/main/app/appIdentity'
import * as release from '../../../scripts/package.mjs'

const root = path.resolve(import.meta.dirname, '../../..')
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }
const config = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  files: string[]
  extraResources: { from: string; to: string; filter: string[] }[]
  asarUnpack: string[]
  npmRebuild: boolean
  beforePack: string
  mac: { target: { target: string; arch: string[] }[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; icon: string; notarize: boolean; extraResources?: ExtraResource[] }
  win: { target: { target: string }[]; icon: string; extraResources?: ExtraResource[] }
  linux: { target: { target: string }[]; icon: string; extraResources?: ExtraResource[] }
}
type ExtraResource = { from: string; to: string; filter: string[] }
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string
  scripts: Record<string, string>
  homepage: string
  repository: { url: string }
  dependencies: Record<string, string>
}

/** Enough of electron-builder's glob matching for the filters used here (`*` within a name). */
const matches = (pattern: string, file: string): boolean => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(file)

describe('packaging (electron-builder.yml)', () => {
  it('targets dmg, nsis, AppImage and deb', () => {
    expect(config.mac.target.map((t) => t.target)).toContain('dmg')
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb'])
    expect(config.mac.target.map((t) => [t.target, t.arch])).toEqual([
      ['dmg', ['universal']],
      ['zip', ['universal']], // the zip is what electron-updater installs on macOS
    ])
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

  it('never rebuilds node_modules: the Electron build of better-sqlite3 ships from native/, outside the asar', () => {
    expect(pkg.main.startsWith('out/')).toBe(true)
    expect(config.files).toContain('out/**')
    expect(config.npmRebuild).toBe(false)
    expect(config.asarUnpack).toEqual([])
    expect(config.files).toContain('!**/node_modules/better-sqlite3/{build,deps,src,binding.gyp}/**')
    for (const platform of ['mac', 'win', 'linux'] as const) {
      const native = config[platform].extraResources?.find((r) => r.to === 'native')
      expect(native?.from, platform).toBe('native/electron/${platform}-${arch}')
      expect(native?.filter, platform).toContain('better_sqlite3.node')
    }
    // A universal mac build may only differ in Mach-O files between its halves: no build record there.
    expect(config.mac.extraResources!.find((r) => r.to === 'native')!.filter).toEqual(['better_sqlite3.node'])
    expect(config.beforePack).toBe('scripts/before-pack.cjs')
    // `npm install` must not download or rebuild anything for Electron; start and dist build it on demand.
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined()
    expect(pkg.scripts.start).toMatch(/^node scripts\/electron-native\.mjs && /)
    expect(pkg.scripts['native:electron']).toBe('node scripts/electron-native.mjs')
    expect(pkg.scripts.dist).toContain('scripts/package.mjs')
  })

  it('signs macOS builds with the hardened runtime and only the JIT entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true)
    const plist = fs.readFileSync(path.join(root, config.mac.entitlements), 'utf8')
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])
    expect(keys).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory'])
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements)
  })
})

describe('resolved builder config (electron-builder’s own loader and schema)', () => {
  const require = createRequire(import.meta.url)
  const builderConfig = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, override: null): Promise<Record<string, unknown> & { electronFuses: Record<string, boolean>; publish: unknown; artifactName: string; appId: string; mac: Record<string, unknown>; forceCodeSigning?: boolean }>
    validateConfiguration(config: unknown, logger: unknown): Promise<void>
  }
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }

  it('flips the fuses that matter: no run-as-node, NODE_OPTIONS or --inspect; asar only, integrity-checked', async () => {
    const resolved = await builderConfig.getConfig(root, null, null)
    await builderConfig.validateConfiguration(resolved, new DebugLogger(false))
    expect(resolved.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false, // the renderer is on app://
    })
  })

  it('releases publish to GitHub with one artifact naming scheme; the appId is the AppUserModelId', async () => {
    const resolved = await builderConfig.getConfig(root, null, null)
    expect(resolved.publish).toEqual([{ provider: 'github', owner: 'switchyard-app', repo: 'switchyard', releaseType: 'draft' }])
    expect(resolved.artifactName).toBe('${productName}-${version}-${os}-${arch}.${ext}')
    expect(resolved.appId).toBe(APP_ID)
    expect(resolved.mac.notarize).toBe(true)
    // the deb target needs these (it failed with "Please specify project homepage")
    expect(pkg.homepage).toBe('https://github.com/switchyard-app/switchyard')
    expect(pkg.repository.url).toContain('github.com/switchyard-app/switchyard')
    expect(pkg.dependencies['electron-updater']).toBeDefined()
  })

  it('dev builds: unsigned, un-notarized, named -dev-, and without a publish config (so without an update feed)', async () => {
    const dev = await builderConfig.getConfig(root, 'electron-builder.dev.yml', null)
    await builderConfig.validateConfiguration(dev, new DebugLogger(false))
    expect(dev.publish).toBeNull()
    expect(dev.artifactName).toBe('${productName}-${version}-dev-${os}-${arch}.${ext}')
    expect(dev.mac).toMatchObject({ identity: null, notarize: false })
    expect(dev.forceCodeSigning).toBe(false)
    expect(dev.electronFuses).toMatchObject({ runAsNode: false }) // hardening is not a release-only thing
  })
})

describe('scripts/package.mjs: releases need their credentials', () => {
  const none = { platform: 'mac' as const, dev: false, dir: false, publish: true, env: {} }

  it('a mac release without a certificate or notarization credentials is refused, naming what is missing', () => {
    const plan = release.packagePlan(none)
    expect(plan.ok).toBe(false)
    if (plan.ok) return
    expect(plan.errors.join('\n')).toContain('CSC_LINK, CSC_KEY_PASSWORD')
    expect(plan.errors.join('\n')).toContain('APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID')
    expect(plan.errors.join('\n')).toContain('GH_TOKEN')
  })

  it('a complete mac release signs, forces signing and notarizes', () => {
    const env = { CSC_LINK: 'x', CSC_KEY_PASSWORD: 'x', APPLE_API_KEY: 'k', APPLE_API_KEY_ID: 'i', APPLE_API_ISSUER: 'j', GH_TOKEN: 't' }
    const plan = release.packagePlan({ ...none, env })
    expect(plan).toMatchObject({ ok: true, args: ['--mac', '-c.forceCodeSigning=true', '-c.mac.notarize=true', '--publish', 'always'] })
  })

  it('Windows: Azure Trusted Signing, else the sign hook, else refused', () => {
    const win = { ...none, platform: 'win' as const, env: { GH_TOKEN: 't' } as Record<string, string> }
    expect(release.packagePlan(win).ok).toBe(false)
    const hook = release.packagePlan({ ...win, env: { ...win.env, SWITCHYARD_WIN_SIGN_COMMAND: 'sign {file}' } })
    expect(hook).toMatchObject({ ok: true, signing: 'sign hook (SWITCHYARD_WIN_SIGN_COMMAND)' })
    if (hook.ok) expect(hook.args).toContain('-c.win.signtoolOptions.sign=scripts/windows-sign-hook.cjs')
    const azureEnv = Object.fromEntries(release.WIN_AZURE.map((k) => [k, `v-${k}`]))
    const azure = release.packagePlan({ ...win, env: { ...win.env, ...azureEnv } })
    expect(azure).toMatchObject({ ok: true, signing: 'Azure Trusted Signing' })
    if (azure.ok) expect(azure.args).toContain('-c.win.azureSignOptions.endpoint=v-AZURE_SIGN_ENDPOINT')
  })

  it('an unsigned build is only ever the named dev build, never published', () => {
    expect(release.packagePlan({ ...none, dev: true, publish: false })).toEqual({ ok: true, args: ['--mac', '--config', 'electron-builder.dev.yml', '--publish', 'never'], signing: 'none (development build)' })
    expect(release.packagePlan({ ...none, dev: true, publish: true }).ok).toBe(false)
    expect(() => release.parseArgs(['--platform', 'win'], 'linux')).toThrow(/runs on win/)
  })
})
