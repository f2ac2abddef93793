// The e2e tests run the built app (out/). Rebuild when any source is newer than the build, so
// `npx playwright test` never tests stale code; `npm test` has just built, so this is a no-op there.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../../..')
const outputs = ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']
const inputs = ['src', 'electron.vite.config.ts', 'package.json']

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return fs.readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), stat.mtimeMs)
}

export default function globalSetup(): void {
  const built = outputs.map((f) => path.join(root, f))
  const oldestOutput = Math.min(...built.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)))
  const newestInput = Math.max(...inputs.map((f) => newestMtime(path.join(root, f))))
  if (oldestOutput >= newestInput) return
  process.stdout.write('e2e: build is missing or older than the sources; running electron-vite build\n')
  execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' })
}
