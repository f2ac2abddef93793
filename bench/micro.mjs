#!/usr/bin/env node
// In-process micro-benchmarks of the gateway's per-request decisions, for the bench report:
//   routing (issue 3)    the decision per request at 8 and 64 targets, for every strategy and for
//                        session affinity: the balance step alone (Balancer.order with the
//                        Router's StrategyContext) and the whole Router.plan (resolve the route,
//                        filter by health, conversation key, order, the RequestPlan)
//   admission (issue 4)  Admission.tryAcquire + lease.settle without limits, with a concurrency
//                        cap, with generous rpm + tpm + maxConcurrent; the token estimate a TPM
//                        limit makes the pipeline compute
//   ledger (issue 5)     one write-behind flush of a full batch (500 ops = 250 requests' begin +
//                        final rows): how long it holds the event loop
//
//   node --expose-gc bench/micro.mjs [--quick] [--out FILE]
//
// The TypeScript modules are bundled with esbuild (from the project's devDependencies via vite)
// into bench/results/micro/bundle.mjs first; npm packages stay external and resolve from
// node_modules. Every loop is bounded by iterations and by time. Writes the JSON result to
// --out (default bench/results/micro/latest.json) and a summary to stderr. Runs alone (run.mjs
// starts it before any server), but other tenants of the machine still show up: "other %" says
// how much of the machine they took meanwhile, and figures are medians over many batches.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const DIR = path.join(ROOT, 'bench/results/micro')
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(DIR, 'latest.json') },
    'bundle-only': { type: 'boolean', default: false },
  },
})

// --- Bundle --------------------------------------------------------------------------------------
const ENTRY = `
export { parseConfig } from './src/shared/config'
export { buildRuntime } from './src/main/gateway/runtime/runtime'
export { Router } from './src/main/gateway/routing/router'
export { STRATEGIES } from './src/shared/config'
export { conversationKey } from './src/main/gateway/routing/affinity'
export { Admission } from './src/main/gateway/admission/admission'
export { estimateRequestTokens } from './src/main/gateway/admission/tokenEstimate'
export { defaultTokenCounter } from './src/main/gateway/admission/tokenCounter'
export { UsageLedger } from './src/main/gateway/usage/ledger'
`

async function bundle() {
  const esbuild = await import('esbuild')
  fs.mkdirSync(DIR, { recursive: true })
  const outfile = path.join(DIR, 'bundle.mjs')
  await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'micro-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
    define: { __APP_VERSION__: '"bench"' },
  })
  return outfile
}

const bundleFile = await bundle()
if (opts['bundle-only']) {
  process.stderr.write(`micro: bundled ${path.relative(ROOT, bundleFile)}\n`)
  process.exit(0)
}
const M = await import(pathToFileURL(bundleFile).href)

// --- Timing --------------------------------------------------------------------------------------
const Q = opts.quick
const BATCHES = Q ? 9 : 15
const BATCH_MS = Q ? 6 : 8
const gc = () => globalThis.gc?.()
let sink = 0 // results feed this, so nothing is optimized away

/**
 * µs per call of `fn(i)`: warm-up, then `BATCHES` batches of k calls (k calibrated so a batch
 * takes ~BATCH_MS); median, best and p90 over the batches. Bounded: at most 2M calls per batch.
 */
function time(fn) {
  let i = 0
  const t0 = performance.now()
  while (performance.now() - t0 < (Q ? 40 : 80) && i < 200_000) sink += fn(i++) ? 1 : 0
  const perCall = (performance.now() - t0) / i
  const k = Math.max(1, Math.min(2_000_000, Math.round(BATCH_MS / Math.max(perCall, 1e-6))))
  gc()
  const us = []
  for (let b = 0; b < BATCHES; b++) {
    const s = process.hrtime.bigint()
    for (let j = 0; j < k; j++) sink += fn(i++) ? 1 : 0
    us.push(Number(process.hrtime.bigint() - s) / 1000 / k)
  }
  us.sort((a, b) => a - b)
  return { medianUs: round(us[us.length >> 1], 3), bestUs: round(us[0], 3), p90Us: round(us[Math.floor(us.length * 0.9)], 3), callsPerBatch: k, batches: BATCHES }
}
const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d

// CPU of this process vs the machine, for the "other %" figure.
const CLK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()
function machineBusyMs() {
  const [user, nice, system, , , irq, softirq] = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
  return ((user + nice + system + irq + softirq) * 1000) / CLK
}
const cpu0 = { machine: machineBusyMs(), own: process.cpuUsage(), at: performance.now() }

// --- Routing -------------------------------------------------------------------------------------
const SYSTEM = 'You are a helpful assistant. Answer briefly and precisely.'
const bodies = Array.from({ length: 1024 }, (_, k) => ({
  model: 'x',
  max_tokens: 64,
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Conversation ${k}: write one sentence about foxes and dogs, then one about clocks striking thirteen.` },
  ],
}))

function routingFixture(n) {
  const providers = []
  for (let i = 0; i < n; i++) {
    // Most targets priced (cloud-like), every eighth unknown; weights 1..3; the last is a backup.
    const priced = i % 8 !== 7
    providers.push({
      id: `p${i}`,
      kind: priced ? 'openai-compatible' : 'vllm',
      baseUrl: `http://127.0.0.1:${20000 + i}/v1`,
      models: ['bench-up'],
      ...(priced ? { pricing: { 'bench-up': { inputPerMTok: 0.1 * ((i % 7) + 1), outputPerMTok: 0.4 * ((i % 5) + 1) } } } : {}),
    })
  }
  const targets = providers.map((p, i) => ({ provider: p.id, model: 'bench-up', weight: i === n - 1 ? 0 : 1 + (i % 3) }))
  const routes = M.STRATEGIES.map((s) => ({ model: `r-${s}`, strategy: s, targets }))
  routes.push({ model: 'r-affinity', strategy: 'least-connections', affinity: true, targets })
  const parsed = M.parseConfig({ version: 1, providers, routes })
  if (!parsed.ok) throw new Error(`micro: fixture config invalid: ${parsed.errors.join('; ')}`)
  const rt = M.buildRuntime(parsed.config, { resolve: () => undefined })

  // Realistic state: in-flight counts that move on every request, a TTFT estimate for every
  // target but one (never measured), vLLM-style load reports, one target ejected by its breaker.
  const ids = providers.map((p) => p.id)
  const inflight = new Map(ids.map((id, i) => [id, i % 5]))
  const loads = new Map(ids.map((id, i) => [id, { running: i % 6, waiting: i % 4 === 0 ? 1 : 0, kvCacheUsage: (i % 10) / 10 }]))
  const router = new M.Router({ inFlight: (id) => inflight.get(id) ?? 0, sideChannels: false })
  // The Router reads backend load from its LoadMonitor (HTTP polling, off here): a stub with fresh snapshots.
  Object.defineProperty(router, 'loads', {
    value: {
      load: (id) => loads.get(id),
      reading: (id) => ({ load: loads.get(id), takenAt: Date.now() }),
      setTargets: () => undefined,
      setIntervalMs: () => undefined,
      statuses: () => [],
      close: async () => undefined,
    },
  })
  router.applyRuntime(rt)
  const now = Date.now()
  for (let i = 0; i < n - 1; i++) for (let s = 0; s < 3; s++) router.latency.record(ids[i], 40 + ((i * 37 + s * 11) % 200), now)
  for (let s = 0; s < 5; s++) router.health.record({ providerId: ids[1], outcome: 'connect_error' }, now)
  const preview = router.preview(rt, 'r-failover')
  if (preview.usable.length !== n - 1) throw new Error(`micro: expected ${n - 1} usable targets, got ${preview.usable.length}`)
  const step = (i) => {
    const id = ids[i % n]
    inflight.set(id, (inflight.get(id) + 7) % 13)
  }
  return { rt, router, step, ids }
}

// Every case is built first and all are warmed up together, round-robin, before any is timed: the
// JIT then sees every strategy (as a gateway with routes of several strategies does) and the
// figures do not depend on which case happened to run first.
const cases = []
const strategyNames = [...M.STRATEGIES, 'affinity']
for (const n of [8, 64]) {
  const { rt, router, step } = routingFixture(n)
  const keys = bodies.map((b) => M.conversationKey({}, b))
  for (const s of strategyNames) {
    const model = `r-${s}`
    const affinity = s === 'affinity'
    const set = router.preview(rt, model)
    const req = { stateKey: set.set.stateKey, strategy: set.set.strategy, affinity, candidates: set.usable, routeCandidates: set.set.candidates }
    cases.push({
      n,
      s,
      // The balance step as Router.plan runs it: the context at `now`, then the route's order.
      order: (i) => {
        step(i)
        return router.balancer.order(req, router.context(Date.now(), affinity ? keys[i & 1023] : undefined))[0].weight
      },
      // The whole routing decision of a request: resolve, health filter, conversation key, order, plan.
      plan: (i) => {
        step(i)
        return router.plan(rt, model, { headers: {}, body: bodies[i & 1023] }).ordered.length
      },
    })
  }
}
for (let pass = 0; pass < (Q ? 2 : 4); pass++) {
  for (const c of cases) {
    for (const fn of [c.order, c.plan]) {
      const t0 = performance.now()
      for (let i = 0; i < 50_000 && performance.now() - t0 < 8; i++) sink += fn(i) ? 1 : 0
    }
  }
}
const routing = []
for (const c of cases) {
  const order = time(c.order)
  const plan = time(c.plan)
  routing.push({ targets: c.n, strategy: c.s, order, plan })
  process.stderr.write(`micro: routing ${String(c.n).padStart(2)} targets ${c.s.padEnd(17)} order ${order.medianUs.toFixed(2)} µs  plan ${plan.medianUs.toFixed(2)} µs\n`)
}

// --- Admission -----------------------------------------------------------------------------------
await M.defaultTokenCounter.warmUp?.()
const admission = []
const estimateBody = bodies[0]
const variants = [
  { name: 'no limits', limits: {} },
  { name: 'maxConcurrent only', limits: { maxConcurrent: 100_000 } },
  { name: 'rpm + tpm + maxConcurrent (generous)', limits: { rpm: 1_000_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 } },
]
const admissionCases = variants.map((v) => {
  const adm = new M.Admission({ providers: [{ id: 'p', limits: v.limits }] })
  const needs = adm.needsTokenEstimate(['p'])
  const estimate = needs ? M.estimateRequestTokens(estimateBody, { shape: 'chat', model: 'bench-model' }) : { input: 0, output: 0 }
  // 64 leases outstanding, as at c=64: each request settles the one admitted 64 requests ago.
  const ring = new Array(64)
  const ask = { candidates: ['p'], estimate }
  const fn = (i) => {
    const a = adm.tryAcquire(ask)
    const slot = i & 63
    ring[slot]?.settle(70)
    ring[slot] = a.lease
    return a.waitedMs === 0
  }
  return { v, adm, needs, ring, fn }
})
for (let pass = 0; pass < 3; pass++) {
  for (const c of admissionCases) {
    const t0 = performance.now()
    for (let i = 0; i < 100_000 && performance.now() - t0 < 15; i++) sink += c.fn(i) ? 1 : 0
  }
}
for (const c of admissionCases) {
  const r = time(c.fn)
  for (const l of c.ring) l?.settle(70)
  c.adm.close()
  admission.push({ variant: c.v.name, limits: c.v.limits, tokenEstimateNeeded: c.needs, tryAcquireSettle: r })
  process.stderr.write(`micro: admission ${c.v.name.padEnd(38)} ${r.medianUs.toFixed(2)} µs${c.needs ? ' (+ token estimate)' : ''}\n`)
}
const tokenEstimate = time((i) => M.estimateRequestTokens(bodies[i & 1023], { shape: 'chat', model: 'bench-model' }).input > 0)
process.stderr.write(`micro: token estimate (tokenizer, ~150-char prompt) ${tokenEstimate.medianUs.toFixed(2)} µs\n`)

// --- Ledger flush --------------------------------------------------------------------------------
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-micro-'))
let ledger
try {
  const l = M.UsageLedger.open({ dataDir: tmp, flushIntervalMs: 1000, maxBatchRows: 500 })
  const flushes = []
  const total = Q ? 40 : 80
  const warm = 10 // not counted: the JIT and SQLite's page cache warm up
  for (let f = 0; f < warm + total; f++) {
    for (let r = 0; r < 250; r++) {
      const requestId = randomUUID()
      const ts = Date.now()
      // Literal objects, as RequestMeter builds them (a spread would make slow dictionary-mode objects).
      const head = { requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false }
      l.begin(head)
      l.record({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false, status: 200, state: 'ok', promptTokens: 42, completionTokens: 28, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0, latencyMs: 2, ttftMs: 1, attempts: 1, errorClass: null, estimated: false })
    }
    const s = process.hrtime.bigint()
    const written = l.flush()
    if (f >= warm) flushes.push(Number(process.hrtime.bigint() - s) / 1e6)
    if (written !== 500) throw new Error(`micro: ledger flush wrote ${written} ops, expected 500`)
  }
  l.close()
  const sorted = [...flushes].sort((a, b) => a - b)
  ledger = { opsPerFlush: 500, requestsPerFlush: 250, flushes: total, medianMs: round(sorted[sorted.length >> 1], 3), maxMs: round(sorted[sorted.length - 1], 3), perRequestUs: round((sorted[sorted.length >> 1] * 1000) / 250, 2) }
  process.stderr.write(`micro: ledger flush of 500 ops (250 requests) median ${ledger.medianMs} ms, max ${ledger.maxMs} ms\n`)

  // SQLite checkpoints a WAL of 1000 pages (~4 MB) automatically, inside the commit that crosses
  // it, i.e. inside one flush on the event loop. How often, and how long: fill a WAL to that size
  // with automatic checkpoints off (bounded), then time the same PASSIVE checkpoint explicitly.
  const dir2 = path.join(tmp, 'checkpoint')
  const c = M.UsageLedger.open({ dataDir: dir2, flushIntervalMs: 1000, maxBatchRows: 500 })
  c.db.pragma('wal_autocheckpoint = 0')
  const pageSize = c.db.pragma('page_size', { simple: true })
  const walFile = path.join(dir2, 'usage.db-wal')
  const walBytes = () => (fs.existsSync(walFile) ? fs.statSync(walFile).size : 0)
  let requests = 0
  while (walBytes() < 1000 * (pageSize + 24) && requests < 200_000) {
    for (let r = 0; r < 250; r++, requests++) {
      const requestId = randomUUID()
      const ts = Date.now()
      c.begin({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false })
      c.record({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false, status: 200, state: 'ok', promptTokens: 42, completionTokens: 28, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0, latencyMs: 2, ttftMs: 1, attempts: 1, errorClass: null, estimated: false })
    }
    c.flush()
  }
  const s = process.hrtime.bigint()
  c.db.pragma('wal_checkpoint(PASSIVE)')
  ledger.autoCheckpoint = { walPages: 1000, requestsPerCheckpoint: requests, checkpointMs: round(Number(process.hrtime.bigint() - s) / 1e6, 2) }
  c.close()
  process.stderr.write(`micro: ledger WAL auto-checkpoint every ~${requests} requests, ${ledger.autoCheckpoint.checkpointMs} ms inside that flush\n`)
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}

// --- Result --------------------------------------------------------------------------------------
const elapsedMs = performance.now() - cpu0.at
const own = process.cpuUsage(cpu0.own)
const otherPct = Math.max(0, (machineBusyMs() - cpu0.machine - (own.user + own.system) / 1000) / (elapsedMs * os.cpus().length)) * 100
const result = { quick: Q, node: process.version, elapsedMs: round(elapsedMs, 0), otherCpuPct: round(otherPct, 1), routing, admission, tokenEstimate, ledger, sink: sink > 0 }
fs.mkdirSync(path.dirname(opts.out), { recursive: true })
fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n')
process.stderr.write(`micro: done in ${(elapsedMs / 1000).toFixed(1)} s (other load ${otherPct.toFixed(0)} %) -> ${path.relative(ROOT, opts.out)}\n`)
