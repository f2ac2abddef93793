#!/usr/bin/env node
// How ledger rows should cross to the ledger's worker thread: what each way costs the main
// thread (the event loop every request and chunk shares), per row and at worst per call.
//
//   node --expose-gc bench/ledgerTransport.mjs [--quick] [--out FILE]
//
// Ways, each fed the same rows (a request = an in-flight marker + its final row, as
// RequestMeter builds them) in "ticks" of k requests (k = 1, 8, 64: an idle, a busy and a
// saturated gateway's event-loop turn):
//   none             the same loop handing nothing over: the harness's own cost, to subtract
//   per-row          worker.postMessage(row) for every row (structured clone of one object)
//   tick-objects     the tick's rows as one array of objects, posted once per tick
//   tick-compact     the tick's rows as one array of positional arrays (no keys), once per tick
//   tick-flat        the tick's rows as one flat array of their fields (one array, no nesting)
//   tick-json        the tick's positional arrays as one JSON string (a string clones as a copy)
//   window-objects   every row of a 200 ms window as one array, posted once per window (at
//                    4,000 requests/s: 800 requests' rows in one postMessage)
//   sab-ring         rows encoded by hand (UTF-8 + float64) into a SharedArrayBuffer ring the
//                    worker drains; one Atomics.notify per tick
// Main-thread time is measured around the calls themselves (hrtime), not the event loop; the
// worker acknowledges every row it decoded, so a way that cannot keep up shows as a backlog.
import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const { values: opts } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: path.join(ROOT, 'bench/results/ledger-transport.json') } },
})
const REQUESTS = opts.quick ? 20_000 : 60_000
const TICKS = [1, 8, 64]
const RING_BYTES = 8 << 20

// --- Rows ----------------------------------------------------------------------------------------
function rowsFor(n) {
  const out = []
  for (let i = 0; i < n; i++) {
    const requestId = randomUUID()
    const ts = Date.now()
    out.push({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: i % 2 === 0 })
    out.push({ requestId, ts, app: 'bench', provider: 'mock', routeModel: 'bench-model', upstreamModel: 'bench-model', endpoint: '/chat/completions', stream: i % 2 === 0, status: 200, state: 'ok', promptTokens: 42, completionTokens: 28, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0.000012, latencyMs: 2, ttftMs: 1, attempts: 1, errorClass: null, estimated: false, path: undefined })
  }
  return out
}
const compact = (r) =>
  r.status === undefined
    ? [0, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream]
    : [1, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream, r.status, r.state, r.promptTokens, r.completionTokens, r.cachedTokens, r.cacheCreationTokens, r.reasoningTokens, r.costUsd, r.latencyMs, r.ttftMs, r.attempts, r.errorClass, r.estimated, r.path]

function pushFlat(out, r) {
  if (r.status === undefined) out.push(0, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream)
  else out.push(1, r.requestId, r.ts, r.app, r.provider, r.routeModel, r.upstreamModel, r.endpoint, r.stream, r.status, r.state, r.promptTokens, r.completionTokens, r.cachedTokens, r.cacheCreationTokens, r.reasoningTokens, r.costUsd, r.latencyMs, r.ttftMs, r.attempts, r.errorClass, r.estimated, r.path)
}

// --- The SharedArrayBuffer ring (single producer, single consumer) -------------------------------
// Header: [0] write offset, [1] read offset, [2] rows written, [3] rows read (Int32). Each row:
// u32 byte length, then fields. Strings: u16 length + UTF-8; numbers: f64; null: f64 NaN.
const STRINGS = ['requestId', 'app', 'provider', 'routeModel', 'upstreamModel', 'endpoint']
const encoder = new TextEncoder()
function ringWriter(sab) {
  const head = new Int32Array(sab, 0, 4)
  const bytes = new Uint8Array(sab, 16)
  const view = new DataView(sab, 16)
  const cap = bytes.length
  return (r) => {
    let at = Atomics.load(head, 0)
    if (at + 4096 > cap) {
      // wrap: wait for the reader to have passed the start (never in this bench: sized to fit)
      if (Atomics.load(head, 1) !== at) return false
      at = 0
    }
    const start = at
    at += 4
    view.setUint8(at++, r.status === undefined ? 0 : 1)
    for (const k of STRINGS) {
      const n = encoder.encodeInto(r[k], bytes.subarray(at + 2, at + 2 + 1024)).written
      view.setUint16(at, n)
      at += 2 + n
    }
    view.setFloat64(at, r.ts)
    at += 8
    view.setUint8(at++, r.stream ? 1 : 0)
    if (r.status !== undefined) {
      for (const v of [r.status, r.promptTokens, r.completionTokens, r.cachedTokens, r.cacheCreationTokens, r.reasoningTokens, r.costUsd, r.latencyMs ?? Number.NaN, r.ttftMs ?? Number.NaN, r.attempts]) {
        view.setFloat64(at, v)
        at += 8
      }
      const state = encoder.encodeInto(r.state, bytes.subarray(at + 1, at + 17)).written
      view.setUint8(at, state)
      at += 1 + state
      const err = r.errorClass ?? ''
      const n = encoder.encodeInto(err, bytes.subarray(at + 2, at + 2 + 256)).written
      view.setUint16(at, n)
      at += 2 + n
      view.setUint8(at++, r.estimated ? 1 : 0)
    }
    view.setUint32(start, at - start)
    Atomics.store(head, 0, at)
    Atomics.add(head, 2, 1)
    return true
  }
}

// --- The worker: decodes whatever arrives and counts rows ----------------------------------------
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const counter = new Int32Array(workerData.counter)
let sab = workerData.ring
const decoder = new TextDecoder()
let sink = 0
function drain() {
  const head = new Int32Array(sab, 0, 4)
  const bytes = new Uint8Array(sab, 16)
  const view = new DataView(sab, 16)
  let at = Atomics.load(head, 1)
  const end = Atomics.load(head, 0)
  if (end < at) at = 0
  while (at < end) {
    const len = view.getUint32(at)
    let p = at + 5
    const row = {}
    for (const k of ${JSON.stringify(STRINGS)}) { const n = view.getUint16(p); row[k] = decoder.decode(bytes.subarray(p + 2, p + 2 + n)); p += 2 + n }
    row.ts = view.getFloat64(p)
    sink += row.requestId.length
    at += len
    Atomics.add(counter, 0, 1)
  }
  Atomics.store(head, 1, at)
}
parentPort.on('message', (m) => {
  if (m === 'drain') return drain()
  if (typeof m === 'string') { const rows = JSON.parse(m); for (const r of rows) sink += r[1].length; Atomics.add(counter, 0, rows.length); return }
  if (Array.isArray(m) && m.length > 0 && !Array.isArray(m[0]) && typeof m[0] === 'number') { let n = 0; for (let i = 0; i < m.length; ) { const kind = m[i]; sink += m[i + 1].length; i += kind === 0 ? 9 : 23; n++ } Atomics.add(counter, 0, n); return }
  if (Array.isArray(m)) { for (const r of m) sink += (Array.isArray(r) ? r[1] : r.requestId).length; Atomics.add(counter, 0, m.length) }
  else { sink += m.requestId.length; Atomics.add(counter, 0, 1) }
})
`

async function run(way, tick, rows) {
  const counter = new SharedArrayBuffer(4)
  const ring = new SharedArrayBuffer(16 + RING_BYTES)
  const worker = new Worker(WORKER, { eval: true, workerData: { counter, ring } })
  await new Promise((r) => worker.once('online', r))
  const done = new Int32Array(counter)
  const write = ringWriter(ring)
  const head = new Int32Array(ring, 0, 4)
  const calls = [] // ns of each synchronous stretch the main thread spent
  let outbox = []
  let ticks = 0
  const TICKS_PER_WINDOW = Math.max(1, Math.round((4000 * 0.2) / tick))
  const post = () => {
    worker.postMessage(outbox)
    outbox = []
  }
  let i = 0
  const t0 = process.hrtime.bigint()
  let busyNs = 0
  // One "tick" per setImmediate turn: k requests' rows handed over, then what the way does per tick.
  await new Promise((resolve) => {
    const step = () => {
      const s = process.hrtime.bigint()
      const end = Math.min(rows.length, i + tick * 2)
      for (; i < end; i++) {
        const r = rows[i]
        if (way === 'none') sinkMain += r.requestId.length
        else if (way === 'per-row') worker.postMessage(r)
        else if (way === 'tick-objects' || way === 'window-objects') outbox.push(r)
        else if (way === 'tick-compact' || way === 'tick-json') outbox.push(compact(r))
        else if (way === 'tick-flat') pushFlat(outbox, r)
        else if (way === 'sab-ring') {
          if (!write(r)) throw new Error('ring full')
        }
      }
      if (way === 'tick-objects' || way === 'tick-compact' || way === 'tick-flat') post()
      else if (way === 'tick-json') {
        worker.postMessage(JSON.stringify(outbox))
        outbox = []
      }
      else if (way === 'window-objects' && ++ticks % TICKS_PER_WINDOW === 0) post()
      else if (way === 'sab-ring') {
        worker.postMessage('drain')
        // the ring is drained on every tick: rewind both ends once the reader caught up
        if (Atomics.load(head, 1) === Atomics.load(head, 0) && Atomics.load(head, 0) > RING_BYTES / 2) Atomics.store(head, 0, 0)
      }
      const spent = Number(process.hrtime.bigint() - s)
      busyNs += spent
      if (way !== 'window-objects') calls.push(spent)
      else if (ticks % TICKS_PER_WINDOW === 0) calls.push(spent)
      if (i < rows.length) setImmediate(step)
      else resolve()
    }
    step()
  })
  if (way === 'window-objects' && outbox.length) {
    const s = process.hrtime.bigint()
    post()
    busyNs += Number(process.hrtime.bigint() - s)
  }
  const wall = Number(process.hrtime.bigint() - t0)
  const deadline = Date.now() + 30_000
  while (Atomics.load(done, 0) < rows.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  const received = way === 'none' ? rows.length : Atomics.load(done, 0)
  await worker.terminate()
  calls.sort((a, b) => a - b)
  const q = (p) => calls[Math.min(calls.length - 1, Math.floor(p * calls.length))] / 1e6
  return {
    way,
    requestsPerTick: tick,
    rows: rows.length,
    received,
    mainNsPerRow: Math.round(busyNs / rows.length),
    callMs: { p50: +q(0.5).toFixed(4), p99: +q(0.99).toFixed(4), max: +q(1).toFixed(4) },
    wallMs: Math.round(wall / 1e6),
  }
}

let sinkMain = 0
const PASSES = 3
const results = []
const ways = ['none', 'per-row', 'tick-objects', 'tick-compact', 'tick-flat', 'tick-json', 'window-objects', 'sab-ring']
// Warm-up pass (JIT), then measured passes in rotated order.
for (const way of ways) await run(way, 8, rowsFor(2000))
// Other tenants of the machine preempt any pass: each (way, tick) runs PASSES times in rotated
// order; the report keeps the least disturbed pass (the minimum) and the median.
const passes = new Map()
for (let pass = 0; pass < PASSES; pass++) {
  for (const tick of TICKS) {
    for (let k = 0; k < ways.length; k++) {
      const way = ways[(k + tick + pass) % ways.length]
      if (way === 'window-objects' && tick !== 8) continue // its cost is per window, not per tick
      globalThis.gc?.()
      const r = await run(way, tick, rowsFor(REQUESTS))
      if (r.received !== r.rows) throw new Error(`${way}: the worker received ${r.received} of ${r.rows} rows`)
      const key = `${way}/${tick}`
      passes.set(key, [...(passes.get(key) ?? []), r])
    }
  }
}
for (const [, rs] of passes) {
  rs.sort((a, b) => a.mainNsPerRow - b.mainNsPerRow)
  const r = { ...rs[0], medianNsPerRow: rs[rs.length >> 1].mainNsPerRow, passesNsPerRow: rs.map((x) => x.mainNsPerRow) }
  results.push(r)
  process.stderr.write(`transport ${r.way.padEnd(15)} ${String(r.requestsPerTick).padStart(2)} req/tick  min ${String(r.mainNsPerRow).padStart(5)} ns/row, median ${String(r.medianNsPerRow).padStart(5)} on the main thread  call p50 ${r.callMs.p50} ms  p99 ${r.callMs.p99} ms  max ${r.callMs.max} ms\n`)
}
fs.mkdirSync(path.dirname(opts.out), { recursive: true })
fs.writeFileSync(opts.out, JSON.stringify({ node: process.version, requests: REQUESTS, results, sink: sinkMain > 0 }, null, 2) + '\n')
