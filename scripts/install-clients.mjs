#!/usr/bin/env node
// @ts-check
// Installs the coding-agent CLIs that `npm run test:clients` drives (tests/clients/) into a cache
// folder outside node_modules: .cache/clients/<id>@<version>/ (or $SWITCHYARD_CLIENTS_DIR), each
// with its own `npm install --prefix`. Versions are pinned here, each the newest whose `engines`
// field admits Node 20 (the project's floor). Never run from an install hook.
//
//   node scripts/install-clients.mjs [--only claude-code,codex] [--force] [--list]
//
// Already installed (a complete install leaves .installed.json beside its node_modules): nothing
// is fetched and it returns at once. Otherwise it checks that the registry answers (`npm ping`),
// installs into a staging folder and renames it into place, so an interrupted install never
// looks installed. Prints one line per CLI: what is there and where its binary is.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * @typedef {{ id: string, pkg: string, version: string, bin: string, why: string }} ClientPin
 */

/** @type {readonly ClientPin[]} */
export const CLIENTS = Object.freeze([
  { id: 'claude-code', pkg: '@anthropic-ai/claude-code', version: '2.1.197', bin: 'claude', why: 'last release with engines node >=18 (2.1.198+ need Node 22)' },
  { id: 'codex', pkg: '@openai/codex', version: '0.171.0', bin: 'codex', why: 'engines node >=16; ships its native binary as an optional dependency' },
  { id: 'gemini-cli', pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini', why: 'engines node >=20' },
  { id: 'opencode', pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode', why: 'no engines field; a native binary per platform' },
  { id: 'qwen-code', pkg: '@qwen-code/qwen-code', version: '0.15.10', bin: 'qwen', why: 'last release with engines node >=20 (0.21+ need Node 22)' },
  { id: 'continue-cli', pkg: '@continuedev/cli', version: '1.5.47', bin: 'cn', why: 'no engines field; runs on Node 20' },
])

const MARKER = '.installed.json'
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** @param {string} [root] */
export function clientsDir(root = ROOT) {
  return process.env.SWITCHYARD_CLIENTS_DIR ? path.resolve(process.env.SWITCHYARD_CLIENTS_DIR) : path.join(root, '.cache', 'clients')
}

/** @param {ClientPin} client @param {string} [root] */
export function installDir(client, root = ROOT) {
  return path.join(clientsDir(root), `${client.id}@${client.version}`)
}

/** The CLI's entry as npm linked it (a symlink into the package, or its native binary). @param {ClientPin} client @param {string} [root] */
export function binPath(client, root = ROOT) {
  return path.join(installDir(client, root), 'node_modules', '.bin', client.bin)
}

/**
 * Whether a complete install of exactly this pin is in place.
 * @param {ClientPin} client @param {string} [root]
 */
export function isInstalled(client, root = ROOT) {
  const dir = installDir(client, root)
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'))
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', client.pkg, 'package.json'), 'utf8'))
    return marker.pkg === client.pkg && marker.version === client.version && pkg.version === client.version && fs.existsSync(binPath(client, root))
  } catch {
    return false
  }
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ only?: string[], force: boolean, list: boolean }} */
  const opts = { force: false, list: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--force') opts.force = true
    else if (arg === '--list') opts.list = true
    else if (arg === '--only') opts.only = String(argv[++i] ?? '').split(',').filter(Boolean)
    else if (arg?.startsWith('--only=')) opts.only = arg.slice('--only='.length).split(',').filter(Boolean)
    else throw new Error(`unknown argument ${arg}; use --only id[,id] --force --list`)
  }
  const unknown = (opts.only ?? []).filter((id) => !CLIENTS.some((c) => c.id === id))
  if (unknown.length) throw new Error(`unknown client ${unknown.join(', ')}; known: ${CLIENTS.map((c) => c.id).join(', ')}`)
  return opts
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** Fails with a clear message when the registry does not answer. */
function checkRegistry() {
  const registry = spawnSync(npm, ['config', 'get', 'registry'], { encoding: 'utf8', timeout: 30_000 }).stdout?.trim() || 'the npm registry'
  const ping = spawnSync(npm, ['ping', '--fetch-retries=0', '--fetch-timeout=20000'], { encoding: 'utf8', timeout: 45_000 })
  if (ping.status !== 0) {
    const output = `${ping.stderr ?? ''}${ping.stdout ?? ''}`
    // npm's own reason line ("request to ... failed, reason: connect ECONNREFUSED ..."), not its stack.
    const detail = /(?:FetchError: )?(request to .*)/.exec(output)?.[1] ?? /npm error code (\S+)/.exec(output)?.[1] ?? ping.error?.message ?? `npm ping exited ${ping.status ?? ping.signal}`
    throw new Error(`cannot reach ${registry} (npm ping failed), so the client CLIs cannot be installed:\n  ${detail}`)
  }
}

/** @param {ClientPin} client @param {string} root */
function install(client, root) {
  const dir = installDir(client, root)
  const staging = `${dir}.staging-${process.pid}`
  fs.rmSync(staging, { recursive: true, force: true })
  fs.mkdirSync(staging, { recursive: true })
  // A package.json of its own, so npm never walks up into this repository's.
  fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: `switchyard-client-${client.id}`, private: true }, null, 2))
  const started = Date.now()
  const result = spawnSync(
    npm,
    ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error', '--save-exact', `${client.pkg}@${client.version}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000, env: { ...process.env, npm_config_update_notifier: 'false' } },
  )
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true })
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim()
    const unreachable = /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)|network|socket hang up/i.test(output)
    const why = result.error?.message ?? (unreachable ? 'the registry could not be reached' : `npm exited ${result.status ?? result.signal}`)
    throw new Error(`installing ${client.pkg}@${client.version} failed: ${why}\n${output.split('\n').slice(-12).join('\n')}`)
  }
  fs.writeFileSync(path.join(staging, MARKER), JSON.stringify({ pkg: client.pkg, version: client.version, installedAt: new Date().toISOString(), node: process.version }, null, 2) + '\n')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.renameSync(staging, dir)
  if (!isInstalled(client, root)) throw new Error(`${client.pkg}@${client.version} installed into ${dir} but ${binPath(client, root)} is missing`)
  return Date.now() - started
}

function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(/** @type {Error} */ (err).message)
    return 2
  }
  const chosen = CLIENTS.filter((c) => !opts.only || opts.only.includes(c.id))
  if (opts.list) {
    for (const c of chosen) console.log(`${c.id}\t${c.pkg}@${c.version}\t${isInstalled(c) ? binPath(c) : '(not installed)'}\t${c.why}`)
    return 0
  }
  const missing = chosen.filter((c) => opts.force || !isInstalled(c))
  try {
    if (missing.length) checkRegistry()
    for (const c of chosen) {
      if (!missing.includes(c)) {
        console.log(`${c.pkg}@${c.version}: already installed (${binPath(c)})`)
        continue
      }
      console.log(`${c.pkg}@${c.version}: installing into ${installDir(c)} ...`)
      const ms = install(c, ROOT)
      console.log(`${c.pkg}@${c.version}: installed in ${(ms / 1000).toFixed(1)} s (${binPath(c)})`)
    }
  } catch (err) {
    console.error(`install-clients: ${/** @type {Error} */ (err).message}`)
    return 1
  }
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main()
