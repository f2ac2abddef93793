#!/usr/bin/env node
// Bundles the routing simulator (bench/routingSim/*.ts and the gateway's routing code it drives)
// with esbuild, then runs it. npm packages stay external and resolve from node_modules.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))
const DIR = path.join(ROOT, 'bench/results/routing-sim')
fs.mkdirSync(DIR, { recursive: true })
const outfile = path.join(DIR, 'bundle.mjs')
const esbuild = await import('esbuild')
await esbuild.build({
  entryPoints: [path.join(ROOT, 'bench/routingSim/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'error',
  define: { __APP_VERSION__: '"bench"' },
})
const { main } = await import(pathToFileURL(outfile).href)
process.exitCode = main(process.argv.slice(2), ROOT)
