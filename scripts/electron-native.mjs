#!/usr/bin/env node
// @ts-check
// Builds better-sqlite3 for Electron's ABI into native/electron/<platform>-<arch>/, apart from
// the Node build that `npm install` made in node_modules (which tests and `switchyard serve`
// keep using). Run before `npm start` and `npm run dist`; never from an install hook.
//
//   node scripts/electron-native.mjs [--arch x64[,arm64]] [--force] [--check]
//
// Up to date (build-info.json matches the installed Electron and better-sqlite3): exits at once.
// Otherwise it copies better-sqlite3's sources into native/.staging/ and there tries, in order:
//   1. prebuild-install --runtime electron (a prebuilt binary from better-sqlite3's releases);
//   2. node-gyp rebuild against Electron's headers (needs a C++ toolchain).
// The result is copied into place with a build record; node_modules is never touched.
// The folder layout must match src/main/app/nativeBinding.ts (a test keeps the two in step).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const NATIVE_MODULE_FILE = 'better_sqlite3.node'
export const BUILD_INFO_FILE = 'build-info.json'
export const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers'

/** @typedef {{ module: 'better-sqlite3', moduleVersion: string, electron: string, abi: string, platform: string, arch: string }} BuildInfo */

/** @param {string} root @param {string} platform @param {string} arch */
export function targetDir(root, platform, arch) {
  return path.join(root, 'native', 'electron', `${platform}-${arch}`)
}

/** @param {string} root @param {string} platform @param {string} arch */
export function stagingDir(root, platform, arch) {
  return path.join(root, 'native', '.staging', `${platform}-${arch}`)
}

/**
 * What the installed packages say the build must be.
 * @param {string} root
 * @param {{ platform: string, arch: string }} target
 * @returns {BuildInfo}
 */
export function expectedBuild(root, target) {
  const require = createRequire(path.join(root, 'package.json'))
  const electronDir = path.dirname(require.resolve('electron/package.json'))
  const electron = /** @type {{ version: string }} */ (JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8'))).version
  const sqlite = /** @type {{ version: string }} */ (JSON.parse(fs.readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8'))).version
  return { module: 'better-sqlite3', moduleVersion: sqlite, electron, abi: electronAbi(electronDir, electron, require), platform: target.platform, arch: target.arch }
}

/**
 * Electron's NODE_MODULE_VERSION: the electron package ships it (abi_version), else node-abi knows it.
 * @param {string} electronDir @param {string} version @param {NodeRequire} require
 */
export function electronAbi(electronDir, version, require) {
  try {
    const shipped = fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim()
    if (/^\d+$/.test(shipped)) return shipped
  } catch {
    // older electron packages do not ship it
  }
  const nodeAbi = /** @type {{ getAbi(v: string, runtime: string): string }} */ (require('node-abi'))
  return String(nodeAbi.getAbi(version, 'electron'))
}

/**
 * Whether the build in `dir` is the one `expected` describes; the reason when it is not.
 * @param {string} dir @param {BuildInfo} expected
 * @returns {{ upToDate: true } | { upToDate: false, reason: string }}
 */
export function buildState(dir, expected) {
  if (!fs.existsSync(path.join(dir, NATIVE_MODULE_FILE))) return { upToDate: false, reason: 'not built yet' }
  /** @type {Partial<BuildInfo>} */
  let info
  try {
    info = JSON.parse(fs.readFileSync(path.join(dir, BUILD_INFO_FILE), 'utf8'))
  } catch {
    return { upToDate: false, reason: `no readable ${BUILD_INFO_FILE}` }
  }
  for (const key of /** @type {(keyof BuildInfo)[]} */ (['module', 'moduleVersion', 'electron', 'abi', 'platform', 'arch'])) {
    if (String(info[key]) !== String(expected[key])) return { upToDate: false, reason: `${key} is ${info[key]}, needs ${expected[key]}` }
  }
  return { upToDate: true }
}

/**
 * The commands tried in the staging copy, in order.
 * @param {BuildInfo} build @param {{ prebuildInstall: string, nodeGyp?: string }} tools
 * @returns {{ name: string, command: string, args: string[] }[]}
 */
export function buildSteps(build, tools) {
  const steps = [
    {
      name: 'prebuild-install (prebuilt binary for Electron)',
      command: process.execPath,
      args: [tools.prebuildInstall, '--runtime', 'electron', '--target', build.electron, '--arch', build.arch, '--platform', build.platform, '--verbose'],
    },
  ]
  if (tools.nodeGyp) {
    steps.push({
      name: 'node-gyp (compile against the Electron headers)',
      command: process.execPath,
      args: [tools.nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${build.electron}`, `--arch=${build.arch}`, `--dist-url=${ELECTRON_HEADERS_URL}`],
    })
  }
  return steps
}

/**
 * The environment for the build steps. npm passes its config as npm_config_*; a machine set up
 * to build addons against Node's own headers (`nodedir`) or for another target would make
 * node-gyp produce a Node build in disguise, so those keys are dropped.
 * @param {NodeJS.ProcessEnv} env
 */
export function buildEnv(env) {
  /** @type {NodeJS.ProcessEnv} */
  const out = {}
  for (const [key, value] of Object.entries(env)) {
    if (/^npm_config_(nodedir|target|runtime|arch|platform|target_arch|target_platform|disturl|dist_url|build_from_source)$/i.test(key)) continue
    out[key] = value
  }
  return out
}

/** @param {string[]} argv */
export function parseArgs(argv) {
  /** @type {{ arches: string[], force: boolean, check: boolean, platform: string }} */
  const opts = { arches: [process.arch], force: false, check: false, platform: process.platform }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--force') opts.force = true
    else if (arg === '--check') opts.check = true
    else if (arg === '--arch') opts.arches = String(argv[++i] ?? '').split(',').filter(Boolean)
    else if (arg?.startsWith('--arch=')) opts.arches = arg.slice(7).split(',').filter(Boolean)
    else throw new Error(`unknown argument ${arg}; usage: electron-native.mjs [--arch x64[,arm64]] [--force] [--check]`)
  }
  if (opts.arches.length === 0) throw new Error('--arch needs a value, e.g. --arch x64 or --arch x64,arm64')
  return opts
}

/** Copies the package without its Node build (build/), so nothing of node_modules changes. @param {string} from @param {string} to */
function stageSources(from, to) {
  fs.rmSync(to, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.relative(from, src).split(path.sep)[0] !== 'build' })
}

/** @param {string} root */
function findTools(root) {
  const require = createRequire(path.join(root, 'package.json'))
  const prebuildInstall = require.resolve('prebuild-install/bin.js', { paths: [path.dirname(require.resolve('better-sqlite3/package.json')), root] })
  /** @type {string | undefined} */
  let nodeGyp
  try {
    nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
  } catch {
    nodeGyp = process.env.npm_config_node_gyp || undefined
  }
  return { prebuildInstall, nodeGyp }
}

/**
 * Builds one platform-arch; returns a process exit code.
 * @param {string} root @param {{ platform: string, arch: string }} target @param {{ force: boolean, check: boolean }} opts
 */
export function buildOne(root, target, opts, log = (/** @type {string} */ line) => process.stdout.write(`${line}\n`)) {
  const expected = expectedBuild(root, target)
  const dir = targetDir(root, target.platform, target.arch)
  const rel = path.relative(root, dir) || dir
  const state = buildState(dir, expected)
  if (state.upToDate && !opts.force) {
    log(`electron-native: ${rel} is up to date (better-sqlite3 ${expected.moduleVersion}, Electron ${expected.electron}, ABI ${expected.abi})`)
    return 0
  }
  if (opts.check) {
    log(`electron-native: ${rel} needs a build (${state.upToDate ? 'forced' : state.reason}); run \`npm run native:electron\``)
    return 1
  }
  log(`electron-native: building better-sqlite3 ${expected.moduleVersion} for Electron ${expected.electron} (ABI ${expected.abi}, ${target.platform}-${target.arch}) — ${state.upToDate ? 'forced' : state.reason}`)
  const require = createRequire(path.join(root, 'package.json'))
  const staged = path.join(stagingDir(root, target.platform, target.arch), 'better-sqlite3')
  stageSources(path.dirname(require.resolve('better-sqlite3/package.json')), staged)
  const tools = findTools(root)
  const failures = []
  let built = false
  for (const step of buildSteps(expected, tools)) {
    log(`electron-native: trying ${step.name}`)
    const run = spawnSync(step.command, step.args, { cwd: staged, stdio: 'inherit', env: buildEnv(process.env) })
    const output = path.join(staged, 'build', 'Release', NATIVE_MODULE_FILE)
    if (run.status === 0 && fs.existsSync(output)) {
      fs.mkdirSync(dir, { recursive: true })
      const tmp = path.join(dir, `${NATIVE_MODULE_FILE}.${process.pid}.tmp`)
      fs.copyFileSync(output, tmp)
      fs.renameSync(tmp, path.join(dir, NATIVE_MODULE_FILE))
      fs.writeFileSync(path.join(dir, BUILD_INFO_FILE), `${JSON.stringify(expected, null, 2)}\n`)
      built = true
      break
    }
    failures.push(`${step.name}: ${run.error ? run.error.message : `exit code ${run.status}`}`)
  }
  fs.rmSync(path.dirname(staged), { recursive: true, force: true })
  if (built) {
    log(`electron-native: wrote ${path.join(rel, NATIVE_MODULE_FILE)}`)
    return 0
  }
  log(
    [
      `electron-native: could not build better-sqlite3 for Electron ${expected.electron} (${target.platform}-${target.arch}).`,
      ...failures.map((f) => `  - ${f}`),
      'The Electron build needs either a prebuilt binary (downloaded from the better-sqlite3 releases on GitHub)',
      `or Electron's headers (${ELECTRON_HEADERS_URL}) plus a C++ toolchain (python3, make and g++/clang; Visual Studio Build Tools on Windows).`,
      'Fix the network access or install the toolchain, then run `npm run native:electron` again.',
      '`npm test` and `switchyard serve` are not affected: they use the Node build in node_modules.',
    ].join('\n'),
  )
  return 1
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`electron-native: ${/** @type {Error} */ (err).message}\n`)
    return 2
  }
  let code = 0
  for (const arch of opts.arches) code = Math.max(code, buildOne(root, { platform: opts.platform, arch }, opts))
  return code
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main()
