#!/usr/bin/env node
// Runs the headless gateway under plain Node from the build output (`npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('switchyard: not built yet; run `npm run build` first\n')
  process.exit(1)
}
await import(cli.href)
