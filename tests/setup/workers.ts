// Vitest global setup: the gateway's worker threads (ledger writer, tokenizer) as the build ships
// them, bundled from the sources with esbuild, so that tests running the TypeScript sources run
// the same threads as the app. common/workerScript.ts finds them through SWITCHYARD_WORKER_DIR
// (child test processes inherit it). The bundles sit under node_modules/.cache so that their
// imports of npm packages resolve from the project's node_modules. One folder per checkout: git
// worktrees that share one node_modules (a symlink) must not run each other's worker sources.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const ROOT = path.resolve(import.meta.dirname, '../..')
export const TEST_WORKER_DIR = path.join(ROOT, 'node_modules/.cache/switchyard-test-workers', createHash('sha256').update(ROOT).digest('hex').slice(0, 12))

export const WORKER_ENTRIES = {
  ledgerWorker: 'src/main/gateway/usage/ledgerWorker.ts',
  tokenWorker: 'src/main/gateway/admission/tokenWorker.ts',
} as const

export default async function setup(): Promise<void> {
  fs.mkdirSync(TEST_WORKER_DIR, { recursive: true })
  // Below node_modules Node finds no package.json of ours: say these bundles are ES modules.
  fs.writeFileSync(path.join(TEST_WORKER_DIR, 'package.json'), '{ "type": "module" }\n')
  await build({
    entryPoints: Object.fromEntries(Object.entries(WORKER_ENTRIES).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir: TEST_WORKER_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  process.env.SWITCHYARD_WORKER_DIR = TEST_WORKER_DIR
}
