#!/usr/bin/env node
// @ts-check
// Packages the desktop app with electron-builder, after making sure every native build it needs
// exists (scripts/electron-native.mjs) and that a release can be signed:
//
//   node scripts/package.mjs [--platform mac|win|linux] [--dev] [--dir] [--publish]
//
// A release build (the default) needs its signing and notarization credentials and fails
// without them, naming each missing variable; electron-builder on its own would skip
// notarization silently and ship an unsigned installer. `--dev` makes an explicitly named,
// unsigned development build (Switchyard-<version>-dev-...), with no update feed.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** @typedef {'mac' | 'win' | 'linux'} Platform */

/** The arches packed per platform (electron-builder.yml says the same per target). */
export const ARCHES = /** @type {const} */ ({ mac: ['x64', 'arm64'], win: ['x64', 'arm64'], linux: ['x64'] })

export const MAC_SIGNING = ['CSC_LINK', 'CSC_KEY_PASSWORD']
/** Notarization: an Apple ID with an app-specific password, or an App Store Connect API key. */
export const MAC_NOTARY_APPLE_ID = ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']
export const MAC_NOTARY_API_KEY = ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER']
/** Azure Trusted Signing: the service principal, and where the certificate profile lives. */
export const WIN_AZURE = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_SIGN_ENDPOINT',
  'AZURE_SIGN_ACCOUNT',
  'AZURE_SIGN_CERTIFICATE_PROFILE',
  'AZURE_SIGN_PUBLISHER_NAME',
]
/** Another signer (an HSM, a signing service): a command run per file by scripts/windows-sign-hook.cjs. */
export const WIN_SIGN_HOOK = 'SWITCHYARD_WIN_SIGN_COMMAND'
/** Unsigned, unpublished, named "-dev-": the only way to build without credentials. */
export const DEV_CONFIG = 'electron-builder.dev.yml'

/**
 * What to run, or why not. Pure: the environment comes in, arguments for electron-builder go out.
 * @param {{ platform: Platform, dev: boolean, dir: boolean, publish: boolean, env: Record<string, string | undefined> }} opts
 * @returns {{ ok: true, args: string[], signing: string } | { ok: false, errors: string[] }}
 */
export function packagePlan(opts) {
  const { platform, env } = opts
  const missing = (/** @type {string[]} */ names) => names.filter((n) => !env[n])
  const args = [`--${platform}`]
  if (opts.dir) args.push('--dir')
  if (opts.dev) {
    if (opts.publish) return { ok: false, errors: ['a --dev build is never published: drop --publish'] }
    args.push('--config', DEV_CONFIG, '--publish', 'never')
    return { ok: true, args, signing: 'none (development build)' }
  }
  /** @type {string[]} */
  const errors = []
  let signing = 'none needed (AppImage and deb are not code-signed)'
  if (platform === 'mac') {
    const sign = missing(MAC_SIGNING)
    if (sign.length) errors.push(`macOS signing needs ${sign.join(', ')} (a Developer ID Application certificate as base64 .p12 and its password)`)
    const appleId = missing(MAC_NOTARY_APPLE_ID)
    const apiKey = missing(MAC_NOTARY_API_KEY)
    if (appleId.length && apiKey.length) {
      errors.push(`notarization needs either ${MAC_NOTARY_APPLE_ID.join(', ')} or ${MAC_NOTARY_API_KEY.join(', ')} (missing: ${appleId.join(', ')})`)
    }
    args.push('-c.forceCodeSigning=true', '-c.mac.notarize=true')
    signing = `Developer ID + notarization (${appleId.length ? 'API key' : 'Apple ID'})`
  }
  if (platform === 'win') {
    const azure = missing(WIN_AZURE)
    if (azure.length === 0) {
      args.push(
        '-c.forceCodeSigning=true',
        `-c.win.azureSignOptions.endpoint=${env.AZURE_SIGN_ENDPOINT}`,
        `-c.win.azureSignOptions.codeSigningAccountName=${env.AZURE_SIGN_ACCOUNT}`,
        `-c.win.azureSignOptions.certificateProfileName=${env.AZURE_SIGN_CERTIFICATE_PROFILE}`,
        `-c.win.azureSignOptions.publisherName=${env.AZURE_SIGN_PUBLISHER_NAME}`,
      )
      signing = 'Azure Trusted Signing'
    } else if (env[WIN_SIGN_HOOK]) {
      args.push('-c.forceCodeSigning=true', '-c.win.signtoolOptions.sign=scripts/windows-sign-hook.cjs')
      signing = `sign hook (${WIN_SIGN_HOOK})`
    } else {
      errors.push(`Windows signing needs Azure Trusted Signing (${azure.join(', ')} missing) or a sign hook command in ${WIN_SIGN_HOOK}`)
    }
  }
  if (opts.publish && !env.GH_TOKEN) errors.push('publishing to GitHub Releases needs GH_TOKEN')
  if (errors.length) return { ok: false, errors }
  args.push('--publish', opts.publish ? 'always' : 'never')
  return { ok: true, args, signing }
}

/** @param {string[]} argv */
export function parseArgs(argv, hostPlatform = process.platform) {
  /** @type {Platform} */
  const host = hostPlatform === 'darwin' ? 'mac' : hostPlatform === 'win32' ? 'win' : 'linux'
  const opts = { platform: host, dev: false, dir: false, publish: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--dev') opts.dev = true
    else if (arg === '--dir') opts.dir = true
    else if (arg === '--publish') opts.publish = true
    else if (arg === '--platform') {
      const value = argv[++i]
      if (value !== 'mac' && value !== 'win' && value !== 'linux') throw new Error(`--platform must be mac, win or linux (got ${value})`)
      opts.platform = value
    } else throw new Error(`unknown argument ${arg}; usage: package.mjs [--platform mac|win|linux] [--dev] [--dir] [--publish]`)
  }
  if (opts.platform !== host) throw new Error(`packaging for ${opts.platform} runs on ${opts.platform} (native modules are built for the host); this is ${host}`)
  return opts
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`package: ${/** @type {Error} */ (err).message}\n`)
    return 2
  }
  const plan = packagePlan({ ...opts, env: process.env })
  if (!plan.ok) {
    process.stderr.write(
      [`package: refusing to build a ${opts.platform} release:`, ...plan.errors.map((e) => `  - ${e}`), 'For an unsigned development build, run `npm run dist:dev` (named "-dev-", never published).', ''].join('\n'),
    )
    return 1
  }
  const arches = opts.dir ? [process.arch] : ARCHES[opts.platform]
  const native = spawnSync(process.execPath, [path.join(root, 'scripts/electron-native.mjs'), '--arch', arches.join(',')], { cwd: root, stdio: 'inherit' })
  if (native.status !== 0) return native.status ?? 1
  process.stdout.write(`package: ${opts.platform} ${opts.dev ? 'development' : 'release'} build; signing: ${plan.signing}\n`)
  const builder = path.join(root, 'node_modules', 'electron-builder', 'cli.js')
  const run = spawnSync(process.execPath, [builder, ...plan.args], { cwd: root, stdio: 'inherit' })
  return run.status ?? 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main()
