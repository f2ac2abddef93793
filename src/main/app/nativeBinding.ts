// Where the desktop app finds its Electron build of better-sqlite3, and what to tell the user
// when it cannot. `npm install` builds better-sqlite3 for Node (tests, `switchyard serve`);
// Electron has its own ABI, so `npm run native:electron` (run by `npm start` and `npm run dist`)
// builds a second copy into native/electron/<platform>-<arch>/, and packaged apps carry it in
// resources/native/. node_modules is never rebuilt in place. The layout here must match
// scripts/electron-native.mjs (a test keeps the two in step).
import fs from 'node:fs'
import path from 'node:path'

export const NATIVE_MODULE_FILE = 'better_sqlite3.node'
export const BUILD_INFO_FILE = 'build-info.json'
/** What builds the Electron copy in a source checkout. */
export const NATIVE_BUILD_COMMAND = 'npm run native:electron'

/** Written next to the addon by the build script. */
export interface NativeBuildInfo {
  module: 'better-sqlite3'
  moduleVersion: string
  electron: string
  /** NODE_MODULE_VERSION of the Electron it was built for (process.versions.modules there). */
  abi: string
  platform: string
  arch: string
}

export type NativeProblem = 'missing' | 'wrong-abi' | 'wrong-target' | 'stale' | 'unloadable'

export type NativeBindingResolution =
  | { ok: true; file: string; info?: NativeBuildInfo }
  | { ok: false; problem: NativeProblem; file: string; message: string; fix: string }

export interface NativeRuntime {
  isPackaged: boolean
  /** The source checkout (unpackaged) — app.getAppPath(). */
  appRoot: string
  /** process.resourcesPath (packaged). */
  resourcesPath: string
  platform: string
  arch: string
  /** process.versions.modules of the running Electron. */
  abi: string
  /** process.versions.electron, for the messages. */
  electron?: string
  /** The better-sqlite3 version whose JavaScript will drive the addon. */
  moduleVersion?: string
}

/** The development build folder; scripts/electron-native.mjs writes here. */
export function devNativeDir(appRoot: string, platform: string, arch: string): string {
  return path.join(appRoot, 'native', 'electron', `${platform}-${arch}`)
}

/** Inside a packaged app (electron-builder extraResources copies the folder above here). */
export function packagedNativeDir(resourcesPath: string): string {
  return path.join(resourcesPath, 'native')
}

export function nativeDir(rt: Pick<NativeRuntime, 'isPackaged' | 'appRoot' | 'resourcesPath' | 'platform' | 'arch'>): string {
  return rt.isPackaged ? packagedNativeDir(rt.resourcesPath) : devNativeDir(rt.appRoot, rt.platform, rt.arch)
}

export interface NativeFs {
  exists(file: string): boolean
  readText(file: string): string
}

const realFs: NativeFs = { exists: (f) => fs.existsSync(f), readText: (f) => fs.readFileSync(f, 'utf8') }

/**
 * Finds the addon and checks its build record against the running Electron, without loading it.
 * A packaged app that fails here was damaged after installation (or built wrongly): reinstalling
 * is the fix. A checkout needs the build command.
 */
export function resolveNativeBinding(rt: NativeRuntime, files: NativeFs = realFs): NativeBindingResolution {
  const dir = nativeDir(rt)
  const file = path.join(dir, NATIVE_MODULE_FILE)
  const fail = (problem: NativeProblem, message: string): NativeBindingResolution => ({ ok: false, problem, file, message, fix: fixFor(rt, problem) })
  if (!files.exists(file)) {
    return fail('missing', `The SQLite module built for Electron is missing: ${file} does not exist.`)
  }
  let info: NativeBuildInfo | undefined
  try {
    info = JSON.parse(files.readText(path.join(dir, BUILD_INFO_FILE))) as NativeBuildInfo
  } catch {
    info = undefined // an older or hand-made build: loading it decides
  }
  if (info) {
    if (info.platform !== rt.platform || info.arch !== rt.arch) {
      return fail('wrong-target', `${file} was built for ${info.platform}-${info.arch}, but this is ${rt.platform}-${rt.arch}.`)
    }
    if (String(info.abi) !== String(rt.abi)) {
      return fail('wrong-abi', `${file} was built for Electron ${info.electron} (ABI ${info.abi}), but this is ${electronName(rt)} (ABI ${rt.abi}).`)
    }
    if (rt.moduleVersion && info.moduleVersion !== rt.moduleVersion) {
      return fail('stale', `${file} was built from better-sqlite3 ${info.moduleVersion}, but better-sqlite3 ${rt.moduleVersion} is installed.`)
    }
  }
  return { ok: true, file, info }
}

/**
 * Loads the addon once, so a binary the build record did not catch (copied by hand, damaged)
 * fails here with a message instead of deep inside the gateway.
 */
export function verifyNativeBinding(
  resolution: NativeBindingResolution,
  rt: NativeRuntime,
  load: (file: string) => unknown,
): NativeBindingResolution {
  if (!resolution.ok) return resolution
  try {
    load(resolution.file)
    return resolution
  } catch (err) {
    const { problem, message } = describeLoadError(err, resolution.file, rt)
    return { ok: false, problem, file: resolution.file, message, fix: fixFor(rt, problem) }
  }
}

/** Turns the loader's error (dlopen, NODE_MODULE_VERSION) into words. */
export function describeLoadError(err: unknown, file: string, rt: Pick<NativeRuntime, 'abi' | 'electron'>): { problem: NativeProblem; message: string } {
  const text = err instanceof Error ? err.message : String(err)
  const abi = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(text)
  if (abi) {
    // Typically the Node.js build from `npm install` copied into place by hand.
    return { problem: 'wrong-abi', message: `${file} was built for ABI ${abi[1]}, but ${electronName(rt)} needs ABI ${abi[2]}.` }
  }
  if (/ENOENT|cannot open shared object|no such file|not find module/i.test(text)) {
    return { problem: 'missing', message: `The SQLite module built for Electron could not be opened: ${file} (${firstLine(text)}).` }
  }
  if (/invalid ELF|wrong ELF class|not a valid Win32|mach-o|incompatible architecture|slice is not valid/i.test(text)) {
    return { problem: 'wrong-target', message: `${file} is for another platform or CPU (${firstLine(text)}).` }
  }
  return { problem: 'unloadable', message: `${file} could not be loaded: ${firstLine(text)}.` }
}

/** What to do, in one sentence with the exact command. */
export function fixFor(rt: Pick<NativeRuntime, 'isPackaged'>, problem: NativeProblem): string {
  if (rt.isPackaged) return 'Reinstall Switchyard: this copy of the app is incomplete or damaged.'
  const force = problem === 'unloadable' || problem === 'wrong-target' ? `${NATIVE_BUILD_COMMAND} -- --force` : NATIVE_BUILD_COMMAND
  return `Run \`${force}\` in the Switchyard checkout, then start the app again (\`npm start\` does this for you).`
}

function electronName(rt: Pick<NativeRuntime, 'electron'>): string {
  return rt.electron ? `Electron ${rt.electron}` : 'this Electron'
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim().slice(0, 300)
}
