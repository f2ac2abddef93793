// electron-builder beforePack hook: the arch being packed must have its Electron build of
// better-sqlite3 (scripts/electron-native.mjs), made for this Electron; packaging never builds or
// rebuilds anything itself (npmRebuild: false). Fails with the command to run.
const fs = require('node:fs')
const path = require('node:path')

/** @param {{ arch: number, electronPlatformName: string, packager: { projectDir?: string, info?: { projectDir: string } } }} context */
exports.default = async function beforePack(context) {
  const { Arch } = require('builder-util')
  const arch = Arch[context.arch]
  const root = context.packager.info?.projectDir ?? context.packager.projectDir ?? process.cwd()
  const dir = path.join(root, 'native', 'electron', `${context.electronPlatformName}-${arch}`)
  const command = `node scripts/electron-native.mjs --arch ${arch}`
  if (!fs.existsSync(path.join(dir, 'better_sqlite3.node'))) {
    throw new Error(`${path.join(dir, 'better_sqlite3.node')} is missing: run \`${command}\` (npm run dist does) before packaging`)
  }
  const check = require('node:child_process').spawnSync(process.execPath, [path.join(root, 'scripts', 'electron-native.mjs'), '--check', '--arch', arch], { cwd: root, encoding: 'utf8' })
  if (check.status !== 0) throw new Error(`the Electron build in ${dir} does not match the installed Electron or better-sqlite3: run \`${command}\`\n${check.stdout}`)
}
