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
//                        final rows): how long it holds the event loop, written in-process; with
//                        the worker thread, the event loop's share of the same batch (packing and
//                        handing it over); the event-loop delay of a thread recording 2,000
//                        requests/s with the ledger off, written in-process, written by the worker
//   tokenizer (issue 12) the first load of o200k, in a fresh process each time: how long the event
//                        loop is held, loading in-process vs in the tokenizer's worker thread
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
    // Internal: one first load of the tokenizer in this (fresh) process, `inprocess` or `worker`.
    'tokenizer-load': { type: 'string' },
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
export { openLedger, LedgerThread } from './src/main/gateway/usage/ledgerThread'
export { TokenCounter, heuristicTokens } from './src/main/gateway/admission/tokenCounter'
export { TokenThread } from './src/main/gateway/admission/tokenThread'
export { workerScript } from './src/main/gateway/common/workerScript'
`

// The worker threads, built as the app builds them, beside the bundle (where workerScript looks).
const WORKERS = {
  ledgerWorker: 'src/main/gateway/usage/ledgerWorker.ts',
  tokenWorker: 'src/main/gateway/admission/tokenWorker.ts',
}

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
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir: DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  return outfile
}

if (opts['tokenizer-load']) {
  // A child of this script: nothing else has run here, so the load is a first load.
  const { monitorEventLoopDelay } = await import('node:perf_hooks')
  const B = await import(pathToFileURL(path.join(DIR, 'bundle.mjs')).href)
  const counter =
    opts['tokenizer-load'] === 'worker'
      ? new B.TokenThread({ script: () => B.workerScript('tokenWorker'), local: () => new B.TokenCounter(), heuristic: B.heuristicTokens })
      : new B.TokenCounter()
  const delay = monitorEventLoopDelay({ resolution: 1 })
  await new Promise((r) => setTimeout(r, 50))
  delay.enable()
  const t0 = performance.now()
  const ok = await counter.warmUp('o200k_base')
  const loadMs = performance.now() - t0
  await new Promise((r) => setTimeout(r, 5))
  delay.disable()
  const inWorker = opts['tokenizer-load'] === 'worker' && counter.isReady() && !!counter.worker
  process.stdout.write(JSON.stringify({ ok, inWorker, loadMs, maxStallMs: delay.max / 1e6 }) + '\n')
  await counter.close?.()
  process.exit(0)
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
// The gateway's counter never waits on the request path (its tokenizer lives in a worker thread:
// the character heuristic); the exact in-process count it replaced, for comparison.
const tokenEstimate = time((i) => M.estimateRequestTokens(bodies[i & 1023], { shape: 'chat', model: 'bench-model' }).input > 0)
process.stderr.write(`micro: token estimate (request path, ~150-char prompt) ${tokenEstimate.medianUs.toFixed(2)} µs\n`)
const exactCounter = new M.TokenCounter()
await exactCounter.warmUp()
const tokenEstimateExact = time((i) => M.estimateRequestTokens(bodies[i & 1023], { shape: 'chat', model: 'bench-model', counter: exactCounter }).input > 0)
process.stderr.write(`micro: token estimate (in-process o200k, as before the worker) ${tokenEstimateExact.medianUs.toFixed(2)} µs\n`)

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

  // The same batches through the worker thread: what stays on this thread is packing the rows and
  // handing the turn's array over (handOver, which a timer runs within 5 ms; called here so that
  // the whole batch is one message: the worst case). The write is the worker's (timed as the
  // flushAll round trip, for reference).
  const w = M.openLedger({ dataDir: path.join(tmp, 'worker'), flushIntervalMs: 1000, maxBatchRows: 500 })
  if (!(w instanceof M.LedgerThread)) throw new Error('micro: the ledger worker script was not found next to the bundle')
  w.flushAll()
  const handOvers = []
  const writes = []
  for (let f = 0; f < warm + total; f++) {
    const s = process.hrtime.bigint()
    for (let r = 0; r < 250; r++) {
      const requestId = randomUUID()
      const ts = Date.now()
      w.begin({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false })
      w.record({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: false, status: 200, state: 'ok', promptTokens: 42, completionTokens: 28, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0, latencyMs: 2, ttftMs: 1, attempts: 1, errorClass: null, estimated: false })
    }
    w.handOver()
    const handedOver = process.hrtime.bigint()
    w.flushAll()
    if (f >= warm) {
      handOvers.push(Number(handedOver - s) / 1e6)
      writes.push(Number(process.hrtime.bigint() - handedOver) / 1e6)
    }
  }
  const rows = w.db.prepare('SELECT count(*) AS n FROM requests').get().n
  w.close()
  if (rows !== (warm + total) * 250) throw new Error(`micro: the worker wrote ${rows} rows, expected ${(warm + total) * 250}`)
  handOvers.sort((a, b) => a - b)
  writes.sort((a, b) => a - b)
  ledger.worker = { handOverMedianMs: round(handOvers[handOvers.length >> 1], 3), handOverMaxMs: round(handOvers[handOvers.length - 1], 3), writeMedianMs: round(writes[writes.length >> 1], 3), writeMaxMs: round(writes[writes.length - 1], 3) }
  process.stderr.write(`micro: ledger worker: the event loop's share of a 500-op batch median ${ledger.worker.handOverMedianMs} ms, max ${ledger.worker.handOverMaxMs} ms (the write, in the worker: median ${ledger.worker.writeMedianMs} ms)\n`)

  // Event-loop delay while this thread records 2,000 requests/s (2 per 1 ms tick), the ledger's
  // default batching: off, written on this thread, written by the worker. Rounds in rotated order.
  const LD = { requestsPerSec: 2000, seconds: Q ? 1.5 : 3, rounds: Q ? 3 : 5 }
  const { monitorEventLoopDelay } = await import('node:perf_hooks')
  const sinks = {
    off: { begin: () => undefined, record: () => undefined, close: () => undefined },
    main: M.openLedger({ dataDir: path.join(tmp, 'delay-main'), writer: 'main' }),
    worker: M.openLedger({ dataDir: path.join(tmp, 'delay-worker') }),
  }
  if (!(sinks.worker instanceof M.LedgerThread) || sinks.main instanceof M.LedgerThread) throw new Error('micro: the delay modes did not get the writers they name')
  // Each synchronous stretch the ledger takes from the event loop, timed where it happens: a flush
  // (the timer's, on this thread) written in-process; the turn's hand-over with the worker.
  const stretches = { main: [], worker: [] }
  const timed = (obj, method, into) => {
    const fn = obj[method].bind(obj)
    obj[method] = (...args) => {
      const s = process.hrtime.bigint()
      const r = fn(...args)
      into.push(Number(process.hrtime.bigint() - s) / 1e6)
      return r
    }
  }
  timed(sinks.main, 'flush', stretches.main)
  timed(sinks.worker, 'handOver', stretches.worker)
  const modes = Object.keys(sinks)
  const delays = Object.fromEntries(modes.map((m) => [m, []]))
  for (let round_ = 0; round_ < LD.rounds; round_++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(k + round_) % modes.length]
      const l = sinks[mode]
      gc()
      const h = monitorEventLoopDelay({ resolution: 1 })
      await new Promise((resolve) => {
        const perTick = LD.requestsPerSec / 1000
        const end = performance.now() + LD.seconds * 1000
        h.enable()
        const t = setInterval(() => {
          for (let r = 0; r < perTick; r++) {
            const requestId = randomUUID()
            const ts = Date.now()
            l.begin({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: true })
            l.record({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: true, status: 200, state: 'ok', promptTokens: 42, completionTokens: 28, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0, latencyMs: 2, ttftMs: 1, attempts: 1, errorClass: null, estimated: false })
          }
          if (performance.now() >= end) {
            clearInterval(t)
            h.disable()
            resolve()
          }
        }, 1)
      })
      delays[mode].push({ p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 })
    }
  }
  for (const l of Object.values(sinks)) l.close()
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
  const spread = (xs) => {
    const v = [...xs].sort((a, b) => a - b)
    return { count: v.length, medianMs: round(v[v.length >> 1], 4), p99Ms: round(v[Math.floor(v.length * 0.99)], 4), maxMs: round(v[v.length - 1], 4) }
  }
  ledger.stretches = { main: spread(stretches.main), worker: spread(stretches.worker) }
  process.stderr.write(`micro: ledger at ${LD.requestsPerSec} req/s, each stretch on the event loop: in-process flush median ${ledger.stretches.main.medianMs} ms, max ${ledger.stretches.main.maxMs} ms (${ledger.stretches.main.count}); worker hand-over per turn median ${ledger.stretches.worker.medianMs} ms, max ${ledger.stretches.worker.maxMs} ms (${ledger.stretches.worker.count})\n`)
  ledger.loopDelay = {
    ...LD,
    modes: Object.fromEntries(modes.map((m) => [m, { p50Ms: round(med(delays[m].map((d) => d.p50Ms)), 3), p99Ms: round(med(delays[m].map((d) => d.p99Ms)), 3), maxMs: round(med(delays[m].map((d) => d.maxMs)), 3), rounds: delays[m].map((d) => ({ p99Ms: round(d.p99Ms, 3), maxMs: round(d.maxMs, 3) })) }])),
  }
  process.stderr.write(`micro: ledger event-loop delay at ${LD.requestsPerSec} req/s, p99 / max ms: ${modes.map((m) => `${m} ${ledger.loopDelay.modes[m].p99Ms} / ${ledger.loopDelay.modes[m].maxMs}`).join(', ')}\n`)
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}

// --- First tokenizer load ------------------------------------------------------------------------
// Each load in a fresh process (this script again, with --tokenizer-load): in-process, then in the
// tokenizer's worker thread, alternating.
const { execFileSync: run } = await import('node:child_process')
const LOADS = Q ? 2 : 3
const loads = { inprocess: [], worker: [] }
for (let k = 0; k < LOADS; k++) {
  for (const mode of ['inprocess', 'worker']) {
    const out = run(process.execPath, [fileURLToPath(import.meta.url), '--tokenizer-load', mode], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    const r = JSON.parse(out.trim().split('\n').pop())
    if (!r.ok || (mode === 'worker' && !r.inWorker)) throw new Error(`micro: tokenizer load (${mode}) failed: ${out}`)
    loads[mode].push(r)
  }
}
const stat = (xs) => ({ median: round([...xs].sort((a, b) => a - b)[xs.length >> 1], 2), max: round(Math.max(...xs), 2) })
const tokenizerLoad = {
  runs: LOADS,
  inProcess: { maxStallMs: stat(loads.inprocess.map((r) => r.maxStallMs)), loadMs: stat(loads.inprocess.map((r) => r.loadMs)) },
  worker: { maxStallMs: stat(loads.worker.map((r) => r.maxStallMs)), loadMs: stat(loads.worker.map((r) => r.loadMs)) },
}
process.stderr.write(`micro: tokenizer first load holds the event loop ${tokenizerLoad.inProcess.maxStallMs.median} ms in-process (load ${tokenizerLoad.inProcess.loadMs.median} ms), ${tokenizerLoad.worker.maxStallMs.median} ms with the worker (load ${tokenizerLoad.worker.loadMs.median} ms)\n`)

// --- Result --------------------------------------------------------------------------------------
const elapsedMs = performance.now() - cpu0.at
const own = process.cpuUsage(cpu0.own)
const otherPct = Math.max(0, (machineBusyMs() - cpu0.machine - (own.user + own.system) / 1000) / (elapsedMs * os.cpus().length)) * 100
const result = { quick: Q, node: process.version, elapsedMs: round(elapsedMs, 0), otherCpuPct: round(otherPct, 1), routing, admission, tokenEstimate, tokenEstimateExact, ledger, tokenizerLoad, sink: sink > 0 }
fs.mkdirSync(path.dirname(opts.out), { recursive: true })
fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n')
process.stderr.write(`micro: done in ${(elapsedMs / 1000).toFixed(1)} s (other load ${otherPct.toFixed(0)} %) -> ${path.relative(ROOT, opts.out)}\n`)
