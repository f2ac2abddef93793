// What one ledger row costs the writer as the ledger grows, by the kind of request id: random
// (version 4, crypto.randomUUID) or time-ordered (version 7, the gateway's newRequestId).
//
//   node bench/ledgerInserts.mjs [--rows 400000] [--batch 256]
//
// The ledger's own schema (every migration, every index) and its own writer (LedgerWriter, one
// transaction per batch, as the worker thread writes), bundled from the sources with esbuild, on a
// fresh file per id kind. Prints µs per row over each stretch of the ledger's growth: a random key
// lands each insert on a random page of the request_id index, so its cost grows with the table.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const { values: a } = parseArgs({ options: { rows: { type: 'string', default: '400000' }, batch: { type: 'string', default: '256' } } })
const ROWS = Number(a.rows)
const BATCH = Number(a.batch)
const STRETCH = ROWS / 4

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-ledger-inserts-'))
const esbuild = await import('esbuild')
const bundle = path.join(tmp, 'bundle.mjs')
await esbuild.build({
  stdin: {
    contents: `
export { migrate, configureConnection } from './src/main/gateway/usage/ledgerSchema'
export { LedgerWriter } from './src/main/gateway/usage/ledgerWriter'
export { newRequestId } from './src/main/gateway/common/requestId'
`,
    resolveDir: ROOT,
    sourcefile: 'ledger-inserts-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: bundle,
  logLevel: 'error',
})
const { migrate, configureConnection, LedgerWriter, newRequestId } = await import(pathToFileURL(bundle).href)
const { default: Database } = await import('better-sqlite3')

const APPS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'curl']
const row = (requestId, i) => ({
  requestId,
  ts: Date.now(),
  app: APPS[i % APPS.length],
  provider: i % 3 === 0 ? 'vllm' : 'ollama',
  routeModel: 'coder',
  upstreamModel: 'qwen3-coder',
  endpoint: '/chat/completions',
  stream: true,
  status: 200,
  state: 'ok',
  promptTokens: 1200,
  completionTokens: 300,
  cachedTokens: 800,
  cacheCreationTokens: 0,
  reasoningTokens: 0,
  costUsd: 0,
  latencyMs: 900,
  ttftMs: 120,
  queueWaitMs: 0,
  attempts: 1,
  errorClass: null,
  estimated: false,
})

const lines = []
for (const [kind, id] of [
  ['version 4 (random)', () => randomUUID()],
  ['version 7 (time-ordered)', () => newRequestId()],
]) {
  const file = path.join(tmp, `${kind.split(' ')[1]}.db`)
  const db = new Database(file)
  configureConnection(db, 5000)
  migrate(db)
  const writer = new LedgerWriter(db)
  const stretches = []
  let t = process.hrtime.bigint()
  for (let done = 0; done < ROWS; ) {
    const ops = []
    for (let i = 0; i < BATCH; i++) ops.push({ kind: 'final', row: row(id(), done + i) })
    writer.writeBatch(ops)
    done += BATCH
    if (done % STRETCH < BATCH) {
      const now = process.hrtime.bigint()
      stretches.push((Number(now - t) / 1000 / STRETCH).toFixed(1))
      t = now
    }
  }
  db.close()
  lines.push(`| ${kind} | ${stretches.join(' | ')} | ${(fs.statSync(file).size / 1048576).toFixed(0)} MB |`)
}
fs.rmSync(tmp, { recursive: true, force: true })
const q = (k) => `${((k * STRETCH) / 1000).toFixed(0)}k`
process.stdout.write(`# Ledger writer: µs per row as the ledger grows (${ROWS} rows, ${BATCH} per transaction)\n\n`)
process.stdout.write(`| request id | rows 0-${q(1)} | ${q(1)}-${q(2)} | ${q(2)}-${q(3)} | ${q(3)}-${q(4)} | file |\n|---|---:|---:|---:|---:|---:|\n`)
process.stdout.write(`${lines.join('\n')}\n`)
