#!/usr/bin/env node
// @ts-check
// Packs the app with electron-builder (--dir, the dev config: unsigned, no publish) into a temp
// folder and checks what a user would get: the main, preload and renderer bundles in app.asar;
// the Electron build of better-sqlite3 and the tray icons beside it; no Node build, SQLite
// sources or other .node files; of gpt-tokenizer only what the two imported encodings load.
//
//   node scripts/check-pack-layout.mjs [--electron-dist DIR] [--stand-in-native]
//
// Without --electron-dist electron-builder uses the Electron zip (downloaded once, cached).
// --electron-dist packs around a stand-in Electron folder instead (the layout does not depend on
// the binary; fuses, which need the real binary, are skipped then). --stand-in-native puts the
// Node build where the Electron build goes when there is none, and removes it afterwards.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createRequire } from 'node:module'

/**
 * The ESM files gpt-tokenizer needs for the encodings tokenCounter.ts imports: the import closure.
 * @param {string} pkgDir @param {string[]} entries relative to pkgDir
 */
export function importClosure(pkgDir, entries) {
  const seen = new Set()
  const queue = [...entries]
  while (queue.length) {
    const file = /** @type {string} */ (queue.pop())
    if (seen.has(file)) continue
    seen.add(file)
    const source = fs.readFileSync(path.join(pkgDir, file), 'utf8')
    for (const m of source.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|[;\s])import\s+['"](\.[^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec) queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)))
    }
  }
  return [...seen].sort()
}

export const TOKENIZER_ENTRIES = ['esm/encoding/cl100k_base.js', 'esm/encoding/o200k_base.js']

/**
 * What is wrong with a packed app, given its file lists. Pure: the lists come in.
 * @param {{ asarFiles: string[], resourceFiles: string[], platform: NodeJS.Platform, tokenizerFiles: string[], trayIcons: string[] }} layout
 */
export function layoutProblems(layout) {
  /** @type {string[]} */
  const problems = []
  const asar = new Set(layout.asarFiles.map((f) => f.replace(/\\/g, '/').replace(/^\/?/, '/')))
  const resources = new Set(layout.resourceFiles.map((f) => f.replace(/\\/g, '/')))
  for (const file of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
    if (!asar.has(file)) problems.push(`app.asar lacks ${file}`)
  }
  for (const file of asar) {
    if (file.endsWith('.node')) problems.push(`app.asar holds a native addon (${file}); the Electron build ships in resources/native`)
    if (/^\/node_modules\/better-sqlite3\/(build|deps|src)\//.test(file)) problems.push(`app.asar holds better-sqlite3 build leftovers or sources (${file})`)
    if (/^\/out\/.*\.map$/.test(file)) problems.push(`app.asar holds a source map (${file})`)
    if (/^\/node_modules\/(electron|electron-builder|vitest|typescript|@electron\/rebuild|node-gyp)\//.test(file)) problems.push(`app.asar holds a development package (${file})`)
  }
  const tokenizer = [...asar].filter((f) => f.startsWith('/node_modules/gpt-tokenizer/') && f.endsWith('.js')).map((f) => f.slice('/node_modules/gpt-tokenizer/'.length)).sort()
  const needed = new Set(layout.tokenizerFiles)
  for (const f of needed) if (!tokenizer.includes(f)) problems.push(`gpt-tokenizer/${f} is imported but not packed`)
  for (const f of tokenizer) if (!needed.has(f)) problems.push(`gpt-tokenizer/${f} is packed but never imported`)
  if (!resources.has('native/better_sqlite3.node')) problems.push('resources/native/better_sqlite3.node is missing (the Electron build of better-sqlite3)')
  for (const icon of [...layout.trayIcons, 'icon.png']) if (!resources.has(`resources/${icon}`)) problems.push(`resources/resources/${icon} is missing`)
  if ([...resources].some((f) => f.startsWith('app.asar.unpacked/'))) problems.push('app.asar.unpacked exists: nothing should need unpacking')
  return problems
}

/** @param {string} dir @returns {string[]} */
function walk(dir, base = dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const require = createRequire(path.join(root, 'package.json'))
  const args = process.argv.slice(2)
  const distIndex = args.indexOf('--electron-dist')
  const electronDist = distIndex >= 0 ? path.resolve(args[distIndex + 1] ?? '') : undefined
  const standIn = args.includes('--stand-in-native')
  if (!fs.existsSync(path.join(root, 'out/main/index.js'))) {
    process.stderr.write('check-pack-layout: run `npm run build` first\n')
    return 1
  }
  const nativeDir = path.join(root, 'native', 'electron', `${process.platform}-${process.arch}`)
  let madeStandIn = false
  if (!fs.existsSync(path.join(nativeDir, 'better_sqlite3.node'))) {
    if (!standIn) {
      process.stderr.write(`check-pack-layout: ${nativeDir} has no Electron build; run \`npm run native:electron\` (or pass --stand-in-native)\n`)
      return 1
    }
    // A stand-in for the layout only: the Node build, recorded as if made for this Electron.
    const { expectedBuild } = await import('./electron-native.mjs')
    fs.mkdirSync(nativeDir, { recursive: true })
    fs.copyFileSync(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node'), path.join(nativeDir, 'better_sqlite3.node'))
    fs.writeFileSync(path.join(nativeDir, 'build-info.json'), JSON.stringify(expectedBuild(root, { platform: process.platform, arch: process.arch })))
    madeStandIn = true
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pack-'))
  try {
    const config = path.join(out, 'electron-builder.layout.yml')
    const lines = [`extends: ${JSON.stringify(path.join(root, 'electron-builder.dev.yml'))}`, 'directories:', `  output: ${JSON.stringify(path.join(out, 'dist'))}`]
    if (electronDist) lines.push(`electronDist: ${JSON.stringify(electronDist)}`, 'electronFuses: null')
    fs.writeFileSync(config, `${lines.join('\n')}\n`)
    const platformFlag = process.platform === 'darwin' ? '--mac' : process.platform === 'win32' ? '--win' : '--linux'
    const build = spawnSync(process.execPath, [require.resolve('electron-builder/cli.js'), '--config', config, platformFlag, 'dir', '--publish', 'never'], { cwd: root, stdio: 'inherit' })
    if (build.status !== 0) return build.status ?? 1
    const appDir = fs.readdirSync(path.join(out, 'dist')).map((d) => path.join(out, 'dist', d)).find((d) => /unpacked|mac/.test(d))
    if (!appDir) throw new Error('electron-builder made no unpacked app')
    const resourcesDir = process.platform === 'darwin' ? path.join(appDir, 'Switchyard.app', 'Contents', 'Resources') : path.join(appDir, 'resources')
    const asar = /** @type {{ listPackage(file: string): string[] }} */ (require('@electron/asar'))
    const problems = layoutProblems({
      asarFiles: asar.listPackage(path.join(resourcesDir, 'app.asar')),
      resourceFiles: walk(resourcesDir),
      platform: process.platform,
      tokenizerFiles: importClosure(path.dirname(require.resolve('gpt-tokenizer/package.json')), TOKENIZER_ENTRIES),
      trayIcons: trayIconFiles(process.platform),
    })
    const size = fs.statSync(path.join(resourcesDir, 'app.asar')).size
    if (problems.length) {
      process.stderr.write(`check-pack-layout: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}\n`)
      return 1
    }
    process.stdout.write(`check-pack-layout: OK (app.asar ${(size / 1e6).toFixed(1)} MB, native addon and tray icons in place)\n`)
    return 0
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
    if (madeStandIn) fs.rmSync(nativeDir, { recursive: true, force: true })
  }
}

/** The tray icon files a platform loads (trayIcon.ts): template PNGs on macOS, .ico on Windows, PNGs on Linux. @param {NodeJS.Platform} platform */
export function trayIconFiles(platform) {
  const bases = ['tray', 'tray-paused', 'tray-degraded', 'tray-error']
  if (platform === 'darwin') return bases.flatMap((b) => [`${b}Template.png`, `${b}Template@2x.png`])
  if (platform === 'win32') return bases.map((b) => `${b}.ico`)
  return bases.flatMap((b) => [`${b}.png`, `${b}@2x.png`])
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = await main()
