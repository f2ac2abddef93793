// The desktop app's Electron build of better-sqlite3: found, checked against the running
// runtime, and when it is missing or wrong, a message with the exact command. The "runtime" here
// is this Node process, and the Node build of better-sqlite3 stands in for the Electron one.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BUILD_INFO_FILE,
  describeLoadError,
  devNativeDir,
  NATIVE_MODULE_FILE,
  packagedNativeDir,
  resolveNativeBinding,
  verifyNativeBinding,
  type NativeRuntime,
} from '../../../src/main/app/nativeBinding'
import * as script from '../../../scripts/electron-native.mjs'
import { UsageService } from '../../../src/main/gateway/usage/usageService'

const require = createRequire(import.meta.url)
const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node')
const moduleVersion = (require('better-sqlite3/package.json') as { version: string }).version

let root: string
let rt: NativeRuntime
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-native-'))
  rt = { isPackaged: false, appRoot: root, resourcesPath: path.join(root, 'Resources'), platform: 'linux', arch: 'x64', abi: '146', electron: '42.11.18', moduleVersion }
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

function build(dir: string, info: Record<string, unknown> | undefined, addon = nodeBuild): void {
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(addon, path.join(dir, NATIVE_MODULE_FILE))
  if (info) fs.writeFileSync(path.join(dir, BUILD_INFO_FILE), JSON.stringify(info))
}
const info = (over: Record<string, unknown> = {}) => ({ module: 'better-sqlite3', moduleVersion, electron: '42.11.18', abi: '146', platform: 'linux', arch: 'x64', ...over })

describe('resolveNativeBinding', () => {
  it('finds a matching build in native/electron/<platform>-<arch>/ of a checkout', () => {
    build(devNativeDir(root, 'linux', 'x64'), info())
    expect(resolveNativeBinding(rt)).toEqual({ ok: true, file: path.join(root, 'native/electron/linux-x64', NATIVE_MODULE_FILE), info: info() })
  })

  it('missing: names the file and the command that builds it', () => {
    const r = resolveNativeBinding(rt)
    expect(r).toMatchObject({ ok: false, problem: 'missing', file: path.join(root, 'native/electron/linux-x64/better_sqlite3.node') })
    if (r.ok) return
    expect(r.message).toContain(r.file)
    expect(r.fix).toBe('Run `npm run native:electron` in the Switchyard checkout, then start the app again (`npm start` does this for you).')
  })

  it('wrong ABI: says which Electron it was built for and which one runs', () => {
    build(devNativeDir(root, 'linux', 'x64'), info({ abi: '143', electron: '41.0.0' }))
    const r = resolveNativeBinding(rt)
    expect(r).toMatchObject({ ok: false, problem: 'wrong-abi' })
    if (r.ok) return
    expect(r.message).toContain('Electron 41.0.0 (ABI 143)')
    expect(r.message).toContain('Electron 42.11.18 (ABI 146)')
    expect(r.fix).toContain('npm run native:electron')
  })

  it('another platform or CPU, or another better-sqlite3, is refused before loading', () => {
    build(devNativeDir(root, 'linux', 'x64'), info({ arch: 'arm64' }))
    expect(resolveNativeBinding(rt)).toMatchObject({ ok: false, problem: 'wrong-target' })
    build(devNativeDir(root, 'linux', 'x64'), info({ moduleVersion: '11.0.0' }))
    expect(resolveNativeBinding(rt)).toMatchObject({ ok: false, problem: 'stale' })
  })

  it('a packaged app looks in resources/native and asks for a reinstall, never for npm', () => {
    const packaged = { ...rt, isPackaged: true }
    const r = resolveNativeBinding(packaged)
    expect(r).toMatchObject({ ok: false, problem: 'missing', file: path.join(packagedNativeDir(rt.resourcesPath), NATIVE_MODULE_FILE) })
    if (!r.ok) expect(r.fix).toBe('Reinstall Switchyard: this copy of the app is incomplete or damaged.')
    build(packagedNativeDir(rt.resourcesPath), undefined) // macOS universal builds ship no build record
    expect(resolveNativeBinding(packaged)).toMatchObject({ ok: true })
  })
})

describe('verifyNativeBinding (loads it once)', () => {
  it('a real addon for this runtime loads', () => {
    build(devNativeDir(root, 'linux', 'x64'), info())
    const r = verifyNativeBinding(resolveNativeBinding(rt), rt, require)
    expect(r.ok).toBe(true)
  })

  it('a damaged or foreign file fails with a message naming it, not a crash', () => {
    const dir = devNativeDir(root, 'linux', 'x64')
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, NATIVE_MODULE_FILE), 'cut short')
    const short = verifyNativeBinding(resolveNativeBinding(rt), rt, require)
    expect(short).toMatchObject({ ok: false, problem: 'unloadable' })
    if (!short.ok) {
      expect(short.message).toContain(path.join(dir, NATIVE_MODULE_FILE))
      expect(short.fix).toContain('`npm run native:electron -- --force`')
    }
    // Not an ELF/Mach-O/PE image for this machine (on Linux: "invalid ELF header").
    fs.writeFileSync(path.join(dir, NATIVE_MODULE_FILE), Buffer.alloc(4096))
    const foreign = verifyNativeBinding(resolveNativeBinding(rt), rt, createRequire(path.join(dir, 'x.js')))
    expect(foreign.ok).toBe(false)
    if (process.platform === 'linux') expect(foreign).toMatchObject({ problem: 'wrong-target' })
  })

  it("reads Node's NODE_MODULE_VERSION error", () => {
    const err = new Error(
      "The module '/a/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 146. Please try re-compiling or re-installing",
    )
    expect(describeLoadError(err, '/a/better_sqlite3.node', { abi: '146', electron: '42.11.18' })).toEqual({
      problem: 'wrong-abi',
      message: '/a/better_sqlite3.node was built for ABI 115, but Electron 42.11.18 needs ABI 146.',
    })
  })
})

describe('the gateway opens usage.db through the host-given addon', () => {
  it('uses nativeBinding when given and fails on a path that is not the addon', async () => {
    const data = path.join(root, 'data')
    const service = new UsageService({ dataDir: data, nativeBinding: nodeBuild })
    expect(service.ledger.db.open).toBe(true)
    await service.close()
    expect(() => new UsageService({ dataDir: path.join(root, 'other'), nativeBinding: path.join(root, 'nowhere.node') })).toThrow(/nowhere\.node/)
  })
})

describe('scripts/electron-native.mjs agrees with the app', () => {
  it('writes where the app looks, under the same file names', () => {
    expect(script.targetDir(root, 'darwin', 'arm64')).toBe(devNativeDir(root, 'darwin', 'arm64'))
    expect(script.NATIVE_MODULE_FILE).toBe(NATIVE_MODULE_FILE)
    expect(script.BUILD_INFO_FILE).toBe(BUILD_INFO_FILE)
  })

  it('expects the installed Electron and better-sqlite3', () => {
    const repo = path.resolve(import.meta.dirname, '../../..')
    const expected = script.expectedBuild(repo, { platform: 'linux', arch: 'x64' })
    const electron = require('electron/package.json') as { version: string }
    expect(expected).toMatchObject({ module: 'better-sqlite3', moduleVersion, electron: electron.version, platform: 'linux', arch: 'x64' })
    expect(expected.abi).toMatch(/^\d+$/)
    expect(expected.abi).not.toBe(process.versions.modules) // Electron's ABI is not Node's: the reason for all this
  })

  it('is up to date only when every field of the build record matches', () => {
    const dir = script.targetDir(root, 'linux', 'x64')
    const expected = info() as ReturnType<typeof script.expectedBuild>
    expect(script.buildState(dir, expected)).toEqual({ upToDate: false, reason: 'not built yet' })
    build(dir, undefined)
    expect(script.buildState(dir, expected)).toEqual({ upToDate: false, reason: 'no readable build-info.json' })
    build(dir, info({ electron: '42.0.0' }))
    expect(script.buildState(dir, expected)).toEqual({ upToDate: false, reason: 'electron is 42.0.0, needs 42.11.18' })
    build(dir, info())
    expect(script.buildState(dir, expected)).toEqual({ upToDate: true })
  })

  it('builds for Electron, never for Node: npm config that points node-gyp at Node headers is dropped', () => {
    const env = script.buildEnv({ PATH: '/bin', npm_config_nodedir: '/usr', NPM_CONFIG_TARGET: '20.0.0', npm_config_runtime: 'node', npm_config_cache: '/c' })
    expect(env).toEqual({ PATH: '/bin', npm_config_cache: '/c' })
    const steps = script.buildSteps(info() as ReturnType<typeof script.expectedBuild>, { prebuildInstall: '/p/bin.js', nodeGyp: '/g/node-gyp.js' })
    expect(steps.map((s) => s.args.slice(0, 2))).toEqual([
      ['/p/bin.js', '--runtime'],
      ['/g/node-gyp.js', 'rebuild'],
    ])
    expect(steps[0]!.args).toEqual(expect.arrayContaining(['electron', '--target', '42.11.18', '--arch', 'x64', '--platform', 'linux']))
    expect(steps[1]!.args).toEqual(expect.arrayContaining(['--runtime=electron', '--target=42.11.18', '--arch=x64', '--dist-url=https://electronjs.org/headers']))
  })

  it('parses --arch lists, --force and --check, and rejects the rest', () => {
    expect(script.parseArgs(['--arch', 'x64,arm64', '--force'])).toMatchObject({ arches: ['x64', 'arm64'], force: true, check: false })
    expect(script.parseArgs(['--check'])).toMatchObject({ arches: [process.arch], check: true })
    expect(() => script.parseArgs(['--rebuild-in-place'])).toThrow(/unknown argument/)
  })
})
