#!/usr/bin/env node
// `npm run bench`: Switchyard against a bare Node passthrough and against the upstream itself.
//
// In one run, against one mock OpenAI-compatible upstream on loopback (bench/mock-upstream.mjs),
// three targets are measured side by side:
//   direct       the mock itself
//   passthrough  bench/passthrough.mjs: node:http + one undici Pool that only pipes bytes
//   switchyard   the headless gateway (out/main/cli.js via bin/switchyard.js), provider kind
//                `vllm` pointing at the mock, an explicit route resolving to it
// Every server is a child process; this process is the load generator (undici Pools sized to
// the concurrency). Non-streaming: RPS and latency at concurrency 1, 64, 256, 1000. Streaming:
// time to first chunk, total time and largest inter-chunk gap at the client, chunks sent at once
// and 5 ms apart; 1000 concurrent streams (errors, RSS). RSS of every server from /proc (a worker
// thread samples every 50 ms), CPU time per phase from /proc/<pid>/stat. The targets of issue 2
// are computed as ratios within this run.
//
// Then, on the same servers (after the issue-2 sections, so that their figures are taken as
// before), the sections of the later issues:
//   issue 3  routing decision cost per request at 8 and 64 targets, every strategy and affinity
//            (in-process, bench/micro.mjs, run before any server starts); Switchyard throughput
//            with a 3-target round-robin route (one mock listening on 3 more ports) vs 1 target
//   issue 4  admission cost per request (in-process), Switchyard at c=64 with generous limits vs
//            none; 2,000 requests against limits that force queueing (maxConcurrent 4, queue 200,
//            timeout 2 s) at two upstream latencies: no hang, every 429/503 within timeout + 100 ms
//   issue 5  10,000 requests per mode with the usage ledger on vs off (usage.ledger, toggled
//            through the admin API between interleaved rounds; rows counted back from the
//            ledger), and the largest inter-chunk gap of paced streams while non-stream load
//            forces batch flushes, on vs off; the flush time itself from the micro-benchmark
//   issue 6  streaming at c=16 (streams/s, TTFC, inter-chunk gaps): Anthropic client translated
//            to the OpenAI mock vs OpenAI passthrough, Anthropic passthrough to an Anthropic mock
//            (the same mock process answers /v1/messages), and OpenAI client translated to it
// Prints a markdown report and writes bench/results/latest.json (+ latest.md).
//
// Exit code: 0 when the report was produced (targets may FAIL: it is a report), 1 on a harness
// error (a server did not start, a preflight check failed, a server died, the run overran).
//
// Options: --quick (smaller counts, for trying the harness), --profile (servers run with
// --cpu-prof; profiles land in bench/results/profiles/, summarize with bench/profile-top.mjs),
// --out FILE (JSON path).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { execFileSync } from 'node:child_process'
import { Pool, request } from 'undici'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const BENCH = path.join(ROOT, 'bench')
const RESULTS = path.join(BENCH, 'results')

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(RESULTS, 'latest.json') },
    // Another build of the gateway (a copy of out/, e.g. for before/after comparisons).
    'switchyard-cli': { type: 'string', default: path.join(ROOT, 'out/main/cli.js') },
  },
})

// ---------------------------------------------------------------------------------------------
// Plan. Counts are fixed per level (equal work for every target); every loop is also bounded in
// time (`deadlineMs`) and reports `truncated` when the bound, not the count, ended it.
const Q = opts.quick ? 0.25 : 1
const n = (x) => Math.max(1, Math.round(x * Q))
const PLAN = {
  nonStream: {
    // `requests` per round; every target runs `rounds` times, interleaved with the others.
    levels: [
      { concurrency: 1, rounds: 3, requests: n(1000), warmup: n(300) },
      { concurrency: 64, rounds: 3, requests: n(6000), warmup: n(1000) },
      { concurrency: 256, rounds: 3, requests: n(6000), warmup: Math.max(512, n(1000)) },
      { concurrency: 1000, rounds: 3, requests: n(6000), warmup: 2000 },
    ],
    deadlineMs: 15_000,
  },
  streamC1: {
    modes: [
      { name: 'at once', chunks: 20, delayMs: 0, rounds: 3, streams: n(120), warmup: 30 },
      { name: '5 ms apart', chunks: 20, delayMs: 5, rounds: 3, streams: Math.max(4, n(12)), warmup: 2 },
    ],
    deadlineMs: 15_000,
  },
  // 20 chunks 50 ms apart: each stream lasts ~1 s, so all 1000 are open at the same moment.
  streams1000: { streams: 1000, chunks: 20, delayMs: 50, rounds: 2, deadlineMs: 30_000 },
  // Informational: a route alias makes Switchyard rewrite the model name (buffer + JSON re-encode).
  // Interleaved with the passthrough sending the same requests, for its own reference.
  alias: { concurrency: 64, rounds: 2, requests: n(4000), warmup: n(1000) },
  rssIntervalMs: 50,
  // A measured run during which other tenants used more than this share of the machine's CPU
  // is measured again (at most `maxRetriesPerRun` times, `retryBudget` in all, and not after
  // `retryUntilS` seconds into the run); the least disturbed attempt is kept.
  interference: { maxOtherPct: 10, maxRetriesPerRun: 2, retryBudget: 12, retryUntilS: 140 },
  // The same rule for the sections of issues 3-6, with their own (smaller) budget.
  interferenceLater: { maxOtherPct: 10, maxRetriesPerRun: 1, retryBudget: 8, retryUntilS: opts.quick ? 170 : 420 },

  // --- Issues 3-6 ---
  micro: { timeoutMs: 120_000 },
  // Issue 3 (3-target round-robin route) and issue 4 (generous limits) against 1 target, no limits.
  variants: { concurrency: 64, rounds: 4, requests: n(2500), warmup: n(600) },
  // Issue 12, informational: requests the size a coding agent sends (a long conversation and its tools).
  agent: { concurrency: 8, rounds: 3, requests: n(600), warmup: n(100), kb: 140 },
  // Issue 4: open-loop arrivals against limits that force queueing. At 20 ms the queue never waits
  // longer than 200 x 20 ms / 4 = 1 s (served or 503 overflow); at 60 ms it would wait 3 s, so the
  // 2 s timeout answers 429 as well. A request without an answer after `hangAfterMs` is a hang.
  queueing: {
    requests: 2000,
    arrivalPerSec: 500,
    limits: { maxConcurrent: 4 },
    queue: { maxSize: 200, timeoutMs: 2000 },
    slackMs: 100,
    hangAfterMs: 6000,
    scenarios: [
      { name: 'upstream 20 ms', provider: 'queue-20', latencyMs: 20 },
      { name: 'upstream 60 ms', provider: 'queue-60', latencyMs: 60 },
    ],
  },
  // Issue 5: `rounds` per mode, interleaved (on/off, then off/on, ...), `requests` each: 10,000 per
  // mode in a full run; many short pairs, so that the per-pair ratio sees the same background
  // load on both sides. Then paced streams while an open-loop non-stream load (fixed rate, below
  // saturation, so that gaps show the event loop held by a flush rather than CPU contention)
  // makes the ledger flush a batch every ~250 ms.
  ledger: {
    concurrency: 64,
    rounds: 10,
    requests: Math.max(500, n(1000)),
    warmup: n(400),
    // The in-process gateway starts only for this section: requests it serves before the rounds.
    mainWarmup: n(8000),
    maxDropPct: 5,
    gap: { rounds: 3, streamConcurrency: 4, streams: opts.quick ? 56 : 110, chunks: 20, delayMs: 5, loadPerSec: 1000, durationMs: opts.quick ? 1500 : 3000, deadlineMs: 20_000 },
  },
  // Issue 6: streams at c=16 through Switchyard, chunks at once (throughput) and 5 ms apart (gaps).
  translation: {
    concurrency: 16,
    modes: [
      { name: 'at once', shape: 'burst', chunks: 20, delayMs: 0, rounds: 3, streams: n(800), warmup: Math.max(32, n(160)) },
      { name: '5 ms apart', shape: 'paced', chunks: 20, delayMs: 5, rounds: 2, streams: Math.max(48, n(160)), warmup: 16 },
    ],
    deadlineMs: 20_000,
  },
}
const RUN_BUDGET_MS = 9 * 60_000

const MODEL = 'bench-model'
const ALIAS = 'bench-alias'
const RR3 = 'bench-rr3'
const LIMITED = 'bench-limited'
/** Issue 12's "everything on": limits, a two-target route, prices and the ledger (on by default). */
const FULL = 'bench-full'
const LEDGER_MODEL = 'bench-ledger'
const ANTHROPIC_PATH = '/v1/messages'
const CHAT_PATH = '/v1/chat/completions'
const RESPONSES_PATH = '/v1/responses'
const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant. Answer briefly and precisely.' },
  { role: 'user', content: 'Write one sentence about foxes and dogs, then one about clocks striking thirteen.' },
]
const HEADERS = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'switchyard-bench/1' }
const nonStreamBody = (model = MODEL) => Buffer.from(JSON.stringify({ model, messages: MESSAGES, max_tokens: 64, temperature: 0 }))
const streamBody = (chunks, delayMs, model = MODEL) =>
  Buffer.from(JSON.stringify({ model, messages: MESSAGES, max_tokens: 64, stream: true, stream_options: { include_usage: true }, mock_chunks: chunks, mock_delay_ms: delayMs }))
/** A coding agent's request: 40 turns of code and prose and 20 tool schemas (~140 kB of JSON). */
const agentBody = (model, kb) => {
  const turn = (i) => `Here is the function f${i}(x) { return x * 2 + ${i} } from src/util${i}.ts; explain what it does and fix the bug. `
  const messages = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: turn(i).repeat(Math.ceil((kb * 1024) / 40 / turn(i).length)) }))
  const tools = Array.from({ length: 20 }, (_, i) => ({ type: 'function', function: { name: `tool_${i}`, description: `Does thing ${i} to a file.`, parameters: { type: 'object', properties: { path: { type: 'string', description: 'the file' }, content: { type: 'string' } }, required: ['path'] } } }))
  return Buffer.from(JSON.stringify({ model, messages, tools, max_tokens: 64, temperature: 0 }))
}
const STREAM_HEADERS = { ...HEADERS, accept: 'text/event-stream' }
const ANTHROPIC_HEADERS = { 'content-type': 'application/json', accept: 'text/event-stream', 'anthropic-version': '2023-06-01', 'user-agent': 'switchyard-bench/1' }
// Streams whose shape comes from the provider's configured x-mock-* headers (a translated body
// cannot carry the mock_* fields), as an OpenAI and as an Anthropic client would send them.
const openAIStreamBody = (model) => Buffer.from(JSON.stringify({ model, messages: MESSAGES, max_tokens: 64, stream: true, stream_options: { include_usage: true } }))
const anthropicStreamBody = (model) =>
  Buffer.from(JSON.stringify({ model, system: MESSAGES[0].content, messages: [{ role: 'user', content: MESSAGES[1].content }], max_tokens: 64, stream: true }))
const responsesStreamBody = (model) => Buffer.from(JSON.stringify({ model, instructions: MESSAGES[0].content, input: MESSAGES[1].content, max_output_tokens: 64, stream: true }))
const geminiStreamBody = () =>
  Buffer.from(JSON.stringify({ systemInstruction: { parts: [{ text: MESSAGES[0].content }] }, contents: [{ role: 'user', parts: [{ text: MESSAGES[1].content }] }], generationConfig: { maxOutputTokens: 64 } }))
const geminiStreamPath = (model) => `/v1beta/models/${model}:streamGenerateContent?alt=sse`

class HarnessError extends Error {}

// ---------------------------------------------------------------------------------------------
// Processes: spawn, wait for `listening on`, watch for unexpected exits, CPU from /proc.
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

const children = new Map() // name -> { proc, pid, url, stderrTail, stderrLines }
let stopping = false
let childFailure

function spawnServer(name, args, nodeFlags = [], env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production', ...env } })
    const child = { name, proc, pid: proc.pid, url: undefined, stderrTail: [], stderrLines: 0 }
    children.set(name, child)
    const timer = setTimeout(() => reject(new HarnessError(`${name} did not print "listening on" within 20 s`)), 20_000)
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)/.exec(line)
      if (m && !child.url) {
        child.url = m[1]
        child.line = line
        clearTimeout(timer)
        resolve(child)
      }
    })
    readline.createInterface({ input: proc.stderr }).on('line', (line) => {
      child.stderrLines++
      child.stderrTail.push(line)
      if (child.stderrTail.length > 20) child.stderrTail.shift()
    })
    proc.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (!child.url) reject(new HarnessError(`${name} exited (${signal ?? code}) before listening:\n${child.stderrTail.join('\n')}`))
      else if (!stopping && !childFailure) childFailure = `${name} exited unexpectedly (${signal ?? code}):\n${child.stderrTail.join('\n')}`
    })
  })
}

async function stopChildren() {
  stopping = true
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise((resolve) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve()
          const kill = setTimeout(() => c.proc.kill('SIGKILL'), 12_000)
          c.proc.once('exit', () => {
            clearTimeout(kill)
            resolve()
          })
          c.proc.kill('SIGTERM')
        }),
    ),
  )
}

function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK // utime + stime
  } catch {
    return NaN
  }
}

/** Machine-wide CPU from /proc/stat, in ms (all cores): busy, idle, softirq, steal. */
function machineCpu() {
  try {
    const line = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
    const ms = (ticks) => (ticks * 1000) / CLK_TCK
    return { busy: ms(user + nice + system + irq + softirq), idle: ms(idle + iowait), softirq: ms(softirq), steal: ms(steal) }
  } catch {
    return { busy: NaN, idle: NaN, softirq: NaN, steal: NaN }
  }
}

function cpuSnapshot() {
  const snap = { loadgen: process.cpuUsage(), machine: machineCpu() }
  for (const [name, c] of children) snap[name] = cpuMsOf(c.pid)
  return snap
}

function cpuDelta(a, b) {
  const out = { loadgen: (b.loadgen.user + b.loadgen.system - a.loadgen.user - a.loadgen.system) / 1000 }
  for (const name of children.keys()) out[name] = b[name] - a[name]
  let ours = out.loadgen
  for (const name of children.keys()) ours += out[name]
  out.machineBusy = b.machine.busy - a.machine.busy
  out.machineIdle = b.machine.idle - a.machine.idle
  out.machineSoftirq = b.machine.softirq - a.machine.softirq
  out.machineSteal = b.machine.steal - a.machine.steal
  // Busy time of the machine that none of the bench's processes was charged for (kernel
  // threads such as ksoftirqd, other tenants of the machine).
  out.unattributed = out.machineBusy - ours
  return out
}

// RSS sampler (worker thread).
const sampler = new Worker(new URL('./sampler.mjs', import.meta.url), { workerData: { intervalMs: PLAN.rssIntervalMs } })
let markSeq = 0
function rssMark() {
  const id = ++markSeq
  return new Promise((resolve) => {
    const onMsg = (msg) => {
      if (msg.type === 'mark' && msg.id === id) {
        sampler.off('message', onMsg)
        resolve(msg)
      }
    }
    sampler.on('message', onMsg)
    sampler.postMessage({ type: 'mark', id })
  })
}
function watchPids() {
  const pids = {}
  for (const [name, c] of children) pids[name] = c.pid
  sampler.postMessage({ type: 'pids', pids })
}

// ---------------------------------------------------------------------------------------------
// Load generation: undici dispatch with raw handlers (the cheapest client undici offers, so the
// load generator takes as little as possible of the 2 shared cores).
function makePool(origin, connections) {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
    connect: { timeout: 10_000 },
  })
}

class Exchange {
  constructor(start, keepBody, done, gaps) {
    this.start = start
    this.keepBody = keepBody
    this.done = done
    this.gaps = gaps // optional array collecting every pause between two reads
    this.status = 0
    this.headers = undefined
    this.bytes = 0
    this.parts = keepBody ? [] : undefined
    this.firstAt = 0
    this.lastAt = 0
    this.maxGap = 0
    this.abort = undefined
  }
  onConnect(abort) {
    this.abort = abort
  }
  onHeaders(status, rawHeaders) {
    this.status = status
    if (this.keepBody) this.headers = rawHeaders.map((b) => b.toString('latin1'))
    return true
  }
  onData(chunk) {
    const now = performance.now()
    if (this.bytes === 0) this.firstAt = now
    else {
      const gap = now - this.lastAt
      if (gap > this.maxGap) this.maxGap = gap
      this.gaps?.push(gap)
    }
    this.lastAt = now
    this.bytes += chunk.length
    if (this.keepBody) this.parts.push(chunk)
    return true
  }
  onComplete() {
    this.end = performance.now()
    this.done(null, this)
  }
  onError(err) {
    this.end = performance.now()
    this.done(err, this)
  }
  text() {
    return Buffer.concat(this.parts ?? []).toString('utf8')
  }
  header(name) {
    const h = this.headers ?? []
    for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() === name) return h[i + 1]
    return undefined
  }
}

/**
 * Closed loop: `concurrency` requests in flight until `total` completed or the deadline passed.
 * Latency is dispatch -> last body byte. `check(exchange)` returns a problem string or null.
 */
function closedLoop(pool, { body, concurrency, total, deadlineMs, check, keepBodies = false, path = CHAT_PATH, headers = HEADERS, shouldStop }) {
  return new Promise((resolve) => {
    const lat = new Float64Array(total)
    const exchanges = keepBodies ? [] : undefined
    let issued = 0
    let inflight = 0
    let ok = 0
    let errors = 0
    let truncated = false
    let finished = false
    const problems = new Map()
    const t0 = performance.now()
    const deadline = t0 + deadlineMs
    const opts = { path, method: 'POST', headers, body }
    const hard = setTimeout(() => {
      // In-flight requests that outlive the deadline by 10 s are abandoned as errors.
      truncated = true
      errors += inflight
      note(`abandoned ${inflight} requests still in flight 10 s after the deadline`)
      inflight = 0
      pool.destroy().catch(() => undefined)
      finish()
    }, deadlineMs + 10_000)
    const note = (p) => problems.set(p, (problems.get(p) ?? 0) + 1)
    const finish = () => {
      if (finished) return
      finished = true
      clearTimeout(hard)
      const elapsedMs = performance.now() - t0
      resolve({ lat: lat.subarray(0, ok), ok, errors, truncated, elapsedMs, problems: Object.fromEntries(problems), exchanges })
    }
    const issue = () => {
      if (finished) return
      if (issued >= total || performance.now() > deadline || shouldStop?.()) {
        if (issued < total && !shouldStop?.()) truncated = true
        if (inflight === 0) finish()
        return
      }
      issued++
      inflight++
      const keep = keepBodies || issued === 1
      pool.dispatch(opts, new Exchange(performance.now(), keep, onDone))
    }
    const onDone = (err, ex) => {
      if (finished) return
      inflight--
      const problem = err ? `${err.code ?? err.name}: ${err.message}` : ex.status !== 200 ? `HTTP ${ex.status}` : check?.(ex) ?? null
      if (problem) {
        errors++
        note(problem)
        setImmediate(issue) // never recurse on synchronous failures
        return
      }
      lat[ok++] = ex.end - ex.start
      if (exchanges) exchanges.push(ex)
      issue()
    }
    for (let i = 0; i < concurrency && i < total; i++) issue()
  })
}

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** CPU time the machine spent on something other than the bench's processes, % of all cores. */
function otherPct(cpu, elapsedMs) {
  return (Math.max(0, cpu.unattributed) / (elapsedMs * os.cpus().length)) * 100
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

function summarize(values) {
  const s = Float64Array.from(values).sort()
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN }
}

// Response checks.
function checkCompletion(ex) {
  if (ex.bytes === 0) return 'empty body'
  if (!ex.parts) return null // only the first response of a phase is kept and parsed
  try {
    const j = JSON.parse(ex.text())
    if (j.object !== 'chat.completion' || typeof j.choices?.[0]?.message?.content !== 'string') return 'not a chat.completion'
    if (typeof j.usage?.total_tokens !== 'number') return 'no usage in the completion'
  } catch {
    return 'body is not JSON'
  }
  return null
}

/** The chat.completion.chunk objects of an OpenAI stream ending in [DONE] (keep-alive comments skipped), or what is wrong with it. */
function openAIChunks(text) {
  if (!text.endsWith('\n\n')) return 'stream does not end at an event boundary'
  const events = text.slice(0, -2).split('\n\n').filter((e) => !e.startsWith(':'))
  if (events[events.length - 1] !== 'data: [DONE]') return 'no [DONE] at the end'
  const chunks = []
  for (const e of events.slice(0, -1)) {
    if (!e.startsWith('data: ')) return `not a data event: ${e.slice(0, 60)}`
    const j = JSON.parse(e.slice(6))
    if (j.error) return `error event: ${JSON.stringify(j.error).slice(0, 120)}`
    if (j.object !== 'chat.completion.chunk') return 'not a chat.completion.chunk'
    chunks.push(j)
  }
  return chunks
}

function checkStream(text, chunks) {
  const parsed = openAIChunks(text)
  if (typeof parsed === 'string') return parsed
  const content = parsed.filter((j) => j.choices.length > 0).length
  const usage = parsed.filter((j) => j.usage).length
  if (content !== chunks + 1) return `expected ${chunks + 1} chunks, got ${content}`
  if (usage !== 1) return `expected 1 usage chunk, got ${usage}`
  return null
}

/** An Anthropic Messages stream: message_start first, message_stop last, no error, >= `chunks` text deltas. */
function checkAnthropicStream(text, chunks) {
  if (!text.endsWith('\n\n')) return 'stream does not end at an event boundary'
  const events = text.slice(0, -2).split('\n\n')
  let deltas = 0
  let first
  let last
  for (const e of events) {
    if (e.startsWith(':')) continue // keep-alive comment
    const m = /^event: (\S+)\ndata: /.exec(e)
    if (!m) return `not an Anthropic event: ${e.slice(0, 60)}`
    if (m[1] === 'error') return `error event: ${e.slice(0, 160)}`
    first ??= m[1]
    last = m[1]
    if (m[1] === 'content_block_delta' && e.includes('"text_delta"')) deltas++
  }
  if (first !== 'message_start') return `first event is ${first}, not message_start`
  if (last !== 'message_stop') return `last event is ${last}, not message_stop`
  if (deltas < chunks) return `expected at least ${chunks} text deltas, got ${deltas}`
  return null
}

/** A Responses API stream: response.created first, response.completed last, no failure, >= `chunks` text deltas. */
function checkResponsesStream(text, chunks) {
  if (!text.endsWith('\n\n')) return 'stream does not end at an event boundary'
  let deltas = 0
  let first
  let last
  for (const e of text.slice(0, -2).split('\n\n')) {
    if (e.startsWith(':')) continue // keep-alive comment
    const m = /^event: (\S+)\ndata: /.exec(e)
    if (!m) return `not a Responses event: ${e.slice(0, 60)}`
    if (m[1] === 'error' || m[1] === 'response.failed') return `failure event: ${e.slice(0, 160)}`
    first ??= m[1]
    last = m[1]
    if (m[1] === 'response.output_text.delta') deltas++
  }
  if (first !== 'response.created') return `first event is ${first}, not response.created`
  if (last !== 'response.completed') return `last event is ${last}, not response.completed`
  if (deltas < chunks) return `expected at least ${chunks} text deltas, got ${deltas}`
  return null
}

/** A Gemini SSE stream (alt=sse): data events of GenerateContentResponse, >= `chunks` with text, usage metadata, no error. */
function checkGeminiStream(text, chunks) {
  if (!text.endsWith('\n\n')) return 'stream does not end at an event boundary'
  let withText = 0
  let usage = 0
  for (const e of text.slice(0, -2).split('\n\n')) {
    if (e.startsWith(':')) continue
    if (!e.startsWith('data: ')) return `not a data event: ${e.slice(0, 60)}`
    const j = JSON.parse(e.slice(6))
    if (j.error) return `error event: ${JSON.stringify(j.error).slice(0, 120)}`
    if (j.candidates?.[0]?.content?.parts?.some((p) => typeof p.text === 'string' && p.text !== '')) withText++
    if (j.usageMetadata) usage++
  }
  if (withText < chunks) return `expected at least ${chunks} events with text, got ${withText}`
  if (usage === 0) return 'no usageMetadata'
  return null
}

/** An OpenAI stream translated from another protocol: chunks, [DONE], no error, >= `chunks` with content. */
function checkTranslatedOpenAIStream(text, chunks) {
  const parsed = openAIChunks(text)
  if (typeof parsed === 'string') return parsed
  const content = parsed.filter((j) => typeof j.choices?.[0]?.delta?.content === 'string' && j.choices[0].delta.content !== '').length
  if (content < chunks) return `expected at least ${chunks} content chunks, got ${content}`
  return null
}

/**
 * Open loop: `count` requests issued at `ratePerSec` whatever the answers (arrivals do not wait for
 * completions, as independent clients would not). Per request: send time, status, Retry-After and
 * completion time at the client. A request still unanswered `hangAfterMs` after it was sent is
 * aborted and counted as a hang; the whole loop is bounded by the last send + hangAfterMs + 5 s.
 */
function openLoop(pool, { body, count, ratePerSec, hangAfterMs, path = CHAT_PATH, headers = HEADERS }) {
  return new Promise((resolve) => {
    const recs = []
    let issued = 0
    let done = 0
    let finished = false
    const t0 = performance.now()
    const opts = { path, method: 'POST', headers, body }
    const finish = () => {
      if (finished) return
      finished = true
      clearInterval(tick)
      clearInterval(sweep)
      clearTimeout(hard)
      for (const r of recs) if (!r.endAt) r.hang = true
      resolve({ recs, ok: done, elapsedMs: performance.now() - t0, issued })
    }
    const complete = (rec) => {
      if (rec.endAt) return
      rec.endAt = performance.now()
      done++
      if (issued === count && done === count) finish()
    }
    const handler = (rec) => ({
      onConnect(abort) {
        rec.abort = abort
      },
      onHeaders(status, raw) {
        rec.status = status
        for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 11 && raw[i].toString('latin1').toLowerCase() === 'retry-after') rec.retryAfter = raw[i + 1].toString('latin1')
        return true
      },
      onData() {
        return true
      },
      onComplete() {
        complete(rec)
      },
      onError(err) {
        if (!rec.hang) rec.error = `${err.code ?? err.name}: ${err.message}`
        complete(rec)
      },
    })
    const tick = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * ratePerSec) + 1)
      while (issued < due) {
        const rec = { sentAt: performance.now(), status: 0, endAt: 0 }
        recs.push(rec)
        issued++
        pool.dispatch(opts, handler(rec))
      }
      if (issued >= count) clearInterval(tick)
    }, 1)
    const sweep = setInterval(() => {
      const now = performance.now()
      for (const r of recs) {
        if (!r.endAt && !r.hang && now - r.sentAt > hangAfterMs) {
          r.hang = true
          r.abort?.(new Error('hang'))
        }
      }
    }, 100)
    const hard = setTimeout(finish, (count / ratePerSec) * 1000 + hangAfterMs + 5000)
  })
}

/**
 * GET /health on its own connection every ~10 ms until stop(): the gateway's event-loop stalls as
 * a client sees them (bounded: at most 60 s). Resolves to the latency summary.
 */
function healthProbe(origin) {
  const pool = makePool(origin, 1)
  const lat = []
  let stopped = false
  const t0 = performance.now()
  const done = (async () => {
    while (!stopped && performance.now() - t0 < 60_000) {
      const s = performance.now()
      try {
        const res = await pool.request({ path: '/health', method: 'GET' })
        await res.body.dump()
        lat.push(performance.now() - s)
      } catch {
        lat.push(performance.now() - s)
      }
      await sleep(10)
    }
    await pool.close().catch(() => undefined)
    return roundAll(summarize(lat))
  })()
  return {
    stop() {
      stopped = true
      return done
    },
  }
}

/** JSON from the gateway's admin API (web bridge), with the run's admin token. */
async function adminJson(origin, token, method, pathname, body) {
  const res = await request(`${origin}/admin/api${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new HarnessError(`admin API ${method} ${pathname} answered ${res.statusCode}: ${text.slice(0, 300)}`)
  return JSON.parse(text)
}

/** `count` streams at once (or one after another with concurrency 1), client-side timings. */
function streamBatch(pool, { chunks, delayMs, count, concurrency, deadlineMs, body = streamBody(chunks, delayMs), path = CHAT_PATH, headers = STREAM_HEADERS, check = (text) => checkStream(text, chunks), readGaps }) {
  return new Promise((resolve) => {
    const ttfc = []
    const total = []
    const gaps = []
    const problems = new Map()
    let issued = 0
    let inflight = 0
    let open = 0
    let peakOpen = 0
    let errors = 0
    let finished = false
    const done = []
    const t0 = performance.now()
    const deadline = t0 + deadlineMs
    const note = (p) => problems.set(p, (problems.get(p) ?? 0) + 1)
    const opts = { path, method: 'POST', headers, body }
    let hard
    const finish = () => {
      if (finished) return
      finished = true
      clearTimeout(hard)
      // Validate after the clock stopped: parsing 1000 streams must not load the servers' cores.
      for (const ex of done) {
        const problem = check(ex.text())
        if (problem) {
          errors++
          note(problem)
          continue
        }
        ttfc.push(ex.firstAt - ex.start)
        total.push(ex.end - ex.start)
        gaps.push(ex.maxGap)
      }
      resolve({ ok: ttfc.length, errors, elapsedMs: performance.now() - t0, truncated: issued < count, peakOpen, ttfc, total, gaps, problems: Object.fromEntries(problems) })
    }
    hard = setTimeout(() => {
      errors += inflight
      note(`abandoned ${inflight} streams still open 10 s after the deadline`)
      pool.destroy().catch(() => undefined)
      finish()
    }, deadlineMs + 10_000)
    const issue = () => {
      if (finished) return
      if (issued >= count || performance.now() > deadline) {
        if (inflight === 0) finish()
        return
      }
      issued++
      inflight++
      const ex = new Exchange(performance.now(), true, onDone, readGaps)
      const onHeaders = ex.onHeaders
      ex.onHeaders = function (status, raw) {
        if (++open > peakOpen) peakOpen = open
        this.counted = true
        return onHeaders.call(this, status, raw)
      }
      pool.dispatch(opts, ex)
    }
    const onDone = (err, ex) => {
      if (finished) return
      inflight--
      if (ex.counted) open--
      if (err || ex.status !== 200) {
        errors++
        note(err ? `${err.code ?? err.name}: ${err.message}` : `HTTP ${ex.status}: ${ex.text().slice(0, 200)}`)
        setImmediate(issue)
        return
      }
      done.push(ex)
      issue()
    }
    for (let i = 0; i < concurrency && i < count; i++) issue()
  })
}

// ---------------------------------------------------------------------------------------------
// Preflight: each target answers correctly before any load (a wrong answer is a harness error).
async function preflight(name, origin, { expectGatewayHeaders }) {
  const res = await request(`${origin}${CHAT_PATH}`, { method: 'POST', headers: HEADERS, body: nonStreamBody() })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new HarnessError(`${name}: preflight non-stream answered ${res.statusCode}: ${text.slice(0, 300)}`)
  const j = JSON.parse(text)
  if (j.object !== 'chat.completion' || j.model !== MODEL || !j.usage) throw new HarnessError(`${name}: preflight non-stream body is wrong: ${text.slice(0, 300)}`)
  if (expectGatewayHeaders && (res.headers['x-switchyard-provider'] !== 'mock' || !res.headers['x-request-id'])) {
    throw new HarnessError(`${name}: preflight response lacks x-switchyard-provider/x-request-id headers`)
  }
  const s = await request(`${origin}${CHAT_PATH}`, { method: 'POST', headers: HEADERS, body: streamBody(3, 0) })
  const st = await s.body.text()
  if (s.statusCode !== 200) throw new HarnessError(`${name}: preflight stream answered ${s.statusCode}: ${st.slice(0, 300)}`)
  const problem = checkStream(st, 3)
  if (problem) throw new HarnessError(`${name}: preflight stream: ${problem}\n${st.slice(0, 500)}`)
  if (!String(s.headers['content-type']).startsWith('text/event-stream')) throw new HarnessError(`${name}: preflight stream content-type ${s.headers['content-type']}`)
}

/** The routes of the issue 3-6 sections answer as they should (a wrong answer is a harness error). */
async function preflightLater(origin, config) {
  const post = async (model, { path = CHAT_PATH, headers = HEADERS, body = nonStreamBody(model) } = {}) => {
    const res = await request(`${origin}${path}`, { method: 'POST', headers, body })
    const text = await res.body.text()
    if (res.statusCode !== 200) throw new HarnessError(`switchyard: preflight ${model} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`)
    return { text, provider: res.headers['x-switchyard-provider'] }
  }
  const seen = new Set()
  for (let i = 0; i < 3; i++) seen.add((await post(RR3)).provider)
  if (seen.size !== 3) throw new HarnessError(`switchyard: ${RR3} (round-robin over 3) answered from ${[...seen].join(', ')}`)
  const full = await post(FULL)
  if (!['full-a', 'full-b'].includes(full.provider) || !JSON.parse(full.text).usage) throw new HarnessError(`switchyard: ${FULL} answered from ${full.provider}: ${full.text.slice(0, 200)}`)
  const single = [[LIMITED, 'limited'], [LEDGER_MODEL, 'ledger'], ...PLAN.queueing.scenarios.map((sc) => [`bench-${sc.provider}`, sc.provider])]
  for (const [model, provider] of single) {
    const r = await post(model)
    if (r.provider !== provider) throw new HarnessError(`switchyard: ${model} was served by ${r.provider}, not ${provider}`)
    const j = JSON.parse(r.text)
    if (j.object !== 'chat.completion' || !j.usage) throw new HarnessError(`switchyard: ${model} answered ${r.text.slice(0, 200)}`)
  }
  for (const m of PLAN.translation.modes) {
    for (const v of translationVariants(m)) {
      const r = await post(v.model, { path: v.path, headers: v.headers, body: v.body })
      const problem = v.check(r.text)
      if (problem) throw new HarnessError(`switchyard: preflight ${v.name} (${v.model}): ${problem}\n${r.text.slice(0, 600)}`)
      if (r.provider !== v.provider) throw new HarnessError(`switchyard: ${v.model} was served by ${r.provider}, not ${v.provider}`)
    }
  }
  if (!config.providers.some((p) => p.kind === 'anthropic')) throw new HarnessError('config has no anthropic provider')
}

/** Issue 6: the four ways through the bridge, for one stream shape (`m.shape` picks the providers). */
function translationVariants(m) {
  return [
    { name: 'OpenAI client → OpenAI upstream (passthrough)', key: 'openai-passthrough', path: CHAT_PATH, headers: STREAM_HEADERS, model: `bench-tr-${m.shape}`, provider: `tr-${m.shape}`, check: (t) => checkStream(t, m.chunks) },
    { name: 'Anthropic client → OpenAI upstream (translated)', key: 'anthropic-to-openai', path: ANTHROPIC_PATH, headers: ANTHROPIC_HEADERS, model: `bench-tr-${m.shape}`, provider: `tr-${m.shape}`, check: (t) => checkAnthropicStream(t, m.chunks) },
    { name: 'Anthropic client → Anthropic upstream (passthrough)', key: 'anthropic-passthrough', path: ANTHROPIC_PATH, headers: ANTHROPIC_HEADERS, model: `bench-an-${m.shape}`, provider: `an-${m.shape}`, check: (t) => checkAnthropicStream(t, m.chunks) },
    { name: 'OpenAI client → Anthropic upstream (translated)', key: 'openai-to-anthropic', path: CHAT_PATH, headers: STREAM_HEADERS, model: `bench-an-${m.shape}`, provider: `an-${m.shape}`, check: (t) => checkTranslatedOpenAIStream(t, m.chunks) },
    { name: 'Responses client → OpenAI upstream (translated)', key: 'responses-to-openai', path: RESPONSES_PATH, headers: STREAM_HEADERS, model: `bench-tr-${m.shape}`, provider: `tr-${m.shape}`, check: (t) => checkResponsesStream(t, m.chunks) },
    { name: 'Gemini client → OpenAI upstream (translated)', key: 'gemini-to-openai', path: geminiStreamPath(`bench-tr-${m.shape}`), headers: STREAM_HEADERS, model: `bench-tr-${m.shape}`, provider: `tr-${m.shape}`, check: (t) => checkGeminiStream(t, m.chunks) },
  ].map((v) => ({ ...v, body: streamBodyFor(v.path, v.model) }))
}

/** The streaming request body each client dialect sends, for the same prompt. */
function streamBodyFor(path, model) {
  if (path === ANTHROPIC_PATH) return anthropicStreamBody(model)
  if (path === RESPONSES_PATH) return responsesStreamBody(model)
  if (path.startsWith('/v1beta/')) return geminiStreamBody()
  return openAIStreamBody(model)
}

/** bench/micro.mjs in a child process (bundles, then times); its JSON result. */
function runMicro() {
  const out = path.join(RESULTS, 'micro', 'latest.json')
  fs.rmSync(out, { force: true })
  log('micro-benchmarks (in-process: routing, admission, ledger flush) ...')
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', path.join(BENCH, 'micro.mjs'), '--out', out, ...(opts.quick ? ['--quick'] : [])], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    const tail = []
    readline.createInterface({ input: proc.stderr }).on('line', (line) => {
      tail.push(line)
      if (tail.length > 30) tail.shift()
      if (/^micro: (routing (8|64) targets (round-robin|least-latency|affinity)|admission|token|ledger|done)/.test(line)) log(line)
    })
    const timer = setTimeout(() => proc.kill('SIGKILL'), PLAN.micro.timeoutMs)
    proc.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new HarnessError(`bench/micro.mjs failed (${signal ?? code}):\n${tail.join('\n')}`))
      try {
        resolve(JSON.parse(fs.readFileSync(out, 'utf8')))
      } catch (err) {
        reject(new HarnessError(`bench/micro.mjs wrote no result: ${err.message}`))
      }
    })
  })
}

async function mockStats(mockUrl, reset = false) {
  const res = await request(`${mockUrl}/_mock/${reset ? 'reset' : 'stats'}`, { method: reset ? 'POST' : 'GET' })
  return res.body.json()
}

function checkHealth() {
  if (childFailure) throw new HarnessError(childFailure)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const gc = () => globalThis.gc?.()

// ---------------------------------------------------------------------------------------------
async function main() {
  const startedAt = new Date()
  const budget = setTimeout(() => {
    process.stderr.write(`bench: run exceeded ${RUN_BUDGET_MS / 60000} min; aborting\n`)
    void stopChildren().finally(() => process.exit(1))
  }, RUN_BUDGET_MS)
  budget.unref()

  // At c=1000 a proxy holds ~2000 sockets and the mock up to ~3000 (idle keep-alive included).
  const fdLimit = openFilesLimit()
  if (fdLimit !== undefined && fdLimit < 4096) log(`warning: open-files hard limit is ${fdLimit}; the c=1000 phases need about 3000 sockets per process`)
  const cli = path.resolve(opts['switchyard-cli'])
  if (!fs.existsSync(cli)) throw new HarnessError(`${path.relative(ROOT, cli)} is missing: run \`npx electron-vite build\` first (npm run bench does)`)
  fs.mkdirSync(RESULTS, { recursive: true })
  const profileDir = path.join(RESULTS, 'profiles')
  if (opts.profile) {
    fs.rmSync(profileDir, { recursive: true, force: true })
    fs.mkdirSync(profileDir, { recursive: true })
  }
  const profFlags = (name) => (opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [])

  // Issues 3-5 in-process micro-benchmarks: alone on the machine, before any server starts (the
  // esbuild bundle of the TypeScript modules is made here too, so a broken bundle fails fast).
  const micro = await runMicro()

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'))
  try {
    log('starting mock upstream, passthrough and switchyard ...')
    // Three more listening ports on the same mock: the 3-target route's upstreams.
    const mock = await spawnServer('mock', [path.join(BENCH, 'mock-upstream.mjs'), '--extra-ports', '3'])
    mock.extraUrls = (/\(also: ([^)]+)\)/.exec(mock.line)?.[1] ?? '').split(' ').filter(Boolean)
    if (mock.extraUrls.length !== 3) throw new HarnessError(`mock did not report its extra ports: ${mock.line}`)
    const pass = await spawnServer('passthrough', [path.join(BENCH, 'passthrough.mjs'), '--upstream', mock.url], profFlags('passthrough'))
    const adminToken = randomBytes(16).toString('hex')
    const shaped = (delayMs) => ({ 'x-mock-chunks': '20', 'x-mock-delay-ms': String(delayMs) })
    const QP = PLAN.queueing
    // The issue-2 sections run on exactly this config; the providers and routes of the later
    // sections come in through the admin API afterwards (`config`), so that they add nothing
    // (memory, side-channel traffic) to the figures of issue 2.
    const baseConfig = {
      version: 1,
      server: { host: '127.0.0.1', port: 0 },
      providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: [MODEL] }],
      routes: [
        { model: MODEL, strategy: 'failover', targets: [{ provider: 'mock' }] },
        { model: ALIAS, strategy: 'failover', targets: [{ provider: 'mock', model: MODEL }] },
      ],
    }
    const config = {
      version: 1,
      server: { host: '127.0.0.1', port: 0 },
      providers: [
        { id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: [MODEL] },
        // Issue 3: three targets on three ports of the mock (three undici pools, as three backends).
        { id: 'rr-a', kind: 'vllm', baseUrl: `${mock.extraUrls[0]}/v1` },
        { id: 'rr-b', kind: 'vllm', baseUrl: `${mock.extraUrls[1]}/v1` },
        { id: 'rr-c', kind: 'vllm', baseUrl: `${mock.extraUrls[2]}/v1` },
        // Issue 4: limits no request reaches (rpm and tpm: the sliding windows and the token estimate run).
        { id: 'limited', kind: 'vllm', baseUrl: `${mock.url}/v1`, limits: { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 } },
        ...QP.scenarios.map((sc) => ({ id: sc.provider, kind: 'vllm', baseUrl: `${mock.url}/v1`, limits: QP.limits, queue: QP.queue, headers: { 'x-mock-latency-ms': String(sc.latencyMs) } })),
        // Issue 12, everything on: two targets, each with limits no request reaches and prices.
        ...['full-a', 'full-b'].map((id) => ({ id, kind: 'vllm', baseUrl: `${mock.url}/v1`, limits: { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 }, pricing: { [FULL]: { inputPerMTok: 0.5, outputPerMTok: 1.5 } } })),
        // Issue 5: its own provider, so that its ledger rows can be counted back.
        { id: 'ledger', kind: 'vllm', baseUrl: `${mock.url}/v1` },
        // Issue 6: the stream's shape comes from these headers (a translated body drops mock_* fields).
        ...PLAN.translation.modes.flatMap((m) => [
          { id: `tr-${m.shape}`, kind: 'vllm', baseUrl: `${mock.url}/v1`, headers: shaped(m.delayMs) },
          { id: `an-${m.shape}`, kind: 'anthropic', baseUrl: mock.url, headers: shaped(m.delayMs) },
        ]),
      ],
      routes: [
        { model: MODEL, strategy: 'failover', targets: [{ provider: 'mock' }] },
        { model: ALIAS, strategy: 'failover', targets: [{ provider: 'mock', model: MODEL }] },
        // The upstream model is the route's own name (no `model` on the targets), as for MODEL: a
        // different name would make Switchyard re-encode every answer (see the alias row).
        { model: RR3, strategy: 'round-robin', targets: [{ provider: 'rr-a' }, { provider: 'rr-b' }, { provider: 'rr-c' }] },
        { model: LIMITED, strategy: 'failover', targets: [{ provider: 'limited' }] },
        // The route's default strategy, as a user who adds a second target gets it.
        { model: FULL, targets: [{ provider: 'full-a' }, { provider: 'full-b' }] },
        ...QP.scenarios.map((sc) => ({ model: `bench-${sc.provider}`, strategy: 'failover', targets: [{ provider: sc.provider }] })),
        { model: LEDGER_MODEL, strategy: 'failover', targets: [{ provider: 'ledger' }] },
        ...PLAN.translation.modes.flatMap((m) => [
          { model: `bench-tr-${m.shape}`, strategy: 'failover', targets: [{ provider: `tr-${m.shape}` }] },
          { model: `bench-an-${m.shape}`, strategy: 'failover', targets: [{ provider: `an-${m.shape}` }] },
        ]),
      ],
    }
    const configFile = path.join(tmp, 'config.json')
    fs.writeFileSync(configFile, JSON.stringify(baseConfig, null, 2))
    const sy = await spawnServer(
      'switchyard',
      [cli === path.join(ROOT, 'out/main/cli.js') ? path.join(ROOT, 'bin/switchyard.js') : cli, 'serve', '--config', configFile, '--data-dir', path.join(tmp, 'data'), '--port', '0', '--admin-token', adminToken, '--log-level', 'warn'],
      profFlags('switchyard'),
    )
    const admin = (method, pathname, body) => adminJson(sy.url, adminToken, method, pathname, body)
    watchPids()
    const targets = [
      { name: 'direct', origin: mock.url, proxy: undefined },
      { name: 'passthrough', origin: pass.url, proxy: 'passthrough' },
      { name: 'switchyard', origin: sy.url, proxy: 'switchyard' },
    ]

    await sleep(1000)
    const idleStart = await rssMark()
    await preflight('direct', mock.url, { expectGatewayHeaders: false })
    await preflight('passthrough', pass.url, { expectGatewayHeaders: false })
    await preflight('switchyard', sy.url, { expectGatewayHeaders: true })
    const aliasCheck = await request(`${sy.url}${CHAT_PATH}`, { method: 'POST', headers: HEADERS, body: nonStreamBody(ALIAS) })
    const aliasJson = await aliasCheck.body.json()
    if (aliasCheck.statusCode !== 200 || aliasJson.model !== ALIAS) throw new HarnessError(`switchyard: alias route answered ${aliasCheck.statusCode} model=${aliasJson.model}`)

    const phases = []
    const runPhase = async (label, fn) => {
      checkHealth()
      gc()
      await rssMark()
      const cpu0 = cpuSnapshot()
      const result = await fn()
      const cpu1 = cpuSnapshot()
      const rss = await rssMark()
      checkHealth()
      const phase = { label, ...result, cpuMs: cpuDelta(cpu0, cpu1), rssPeakKb: rss.peakKb }
      phases.push(phase)
      return phase
    }
    // Targets run interleaved, in rounds with a rotated order, so that a burst of load from
    // elsewhere on the machine (or drift) spreads over all three instead of biasing one.
    const rotated = (r) => targets.map((_, i) => targets[(i + r) % targets.length])
    const retries = []
    let retryBudget = PLAN.interference.retryBudget
    /** runPhase, measured again while other tenants disturbed it (bounded); keeps the calmest. */
    let laterRetryBudget = PLAN.interferenceLater.retryBudget
    const runCalmPhase = async (label, fn, later = false) => {
      let best
      for (let attempt = 0; ; attempt++) {
        const phase = await runPhase(label, fn)
        phase.otherCpuPct = otherPct(phase.cpuMs, phase.elapsedMs)
        if (!best || phase.otherCpuPct < best.otherCpuPct) best = phase
        const I = later ? PLAN.interferenceLater : PLAN.interference
        const budgetLeft = later ? laterRetryBudget : retryBudget
        if (best.otherCpuPct <= I.maxOtherPct || attempt >= I.maxRetriesPerRun || budgetLeft <= 0 || Date.now() - startedAt.getTime() > I.retryUntilS * 1000) break
        if (later) laterRetryBudget--
        else retryBudget--
        retries.push({ label, otherCpuPct: round(phase.otherCpuPct, 1), later })
        log(`  ${label}: ${phase.otherCpuPct.toFixed(0)} % of the machine was busy with other work; measuring again`)
      }
      best.attempts = retries.filter((x) => x.label === label).length + 1
      return best
    }

    // --- Non-streaming -------------------------------------------------------------------------
    const nsBody = nonStreamBody()
    const measureNonStream = async (level, list, body, check, label = '', later = false) => {
      const acc = new Map(list.map((t) => [t.name, { lat: [], ok: 0, errors: 0, truncated: false, elapsedMs: 0, cpu: {}, rss: {}, rounds: [], problems: {} }]))
      for (let r = 0; r < level.rounds; r++) {
        for (const t of level.rounds > 1 ? list.map((_, i) => list[(i + r) % list.length]) : list) {
          const pool = makePool(t.origin, level.concurrency)
          const tBody = t.body ?? body
          await closedLoop(pool, { body: tBody, concurrency: level.concurrency, total: level.warmup, deadlineMs: 10_000, check })
          const phase = await runCalmPhase(
            `non-stream c=${level.concurrency} ${t.name}${label} round ${r + 1}`,
            () => closedLoop(pool, { body: tBody, concurrency: level.concurrency, total: level.requests, deadlineMs: PLAN.nonStream.deadlineMs, check }),
            later,
          )
          await pool.close().catch(() => undefined)
          const a = acc.get(t.name)
          a.lat.push(phase.lat)
          a.ok += phase.ok
          a.errors += phase.errors
          a.truncated ||= phase.truncated
          a.elapsedMs += phase.elapsedMs
          for (const [k, v] of Object.entries(phase.cpuMs)) a.cpu[k] = (a.cpu[k] ?? 0) + v
          for (const [k, v] of Object.entries(phase.rssPeakKb)) a.rss[k] = Math.max(a.rss[k] ?? 0, v)
          for (const [k, v] of Object.entries(phase.problems)) a.problems[k] = (a.problems[k] ?? 0) + v
          const lat = summarize(phase.lat)
          const proxyUs = t.proxy ? round((phase.cpuMs[t.proxy] * 1000) / Math.max(1, phase.ok), 1) : undefined
          a.rounds.push({ rps: round(phase.ok / (phase.elapsedMs / 1000), 0), p50: round(lat.p50, 4), p99: round(lat.p99, 4), proxyCpuUsPerReq: proxyUs, otherCpuPct: round(phase.otherCpuPct, 1), attempts: phase.attempts })
          delete phase.lat
        }
      }
      return list.map((t) => {
        const a = acc.get(t.name)
        const all = new Float64Array(a.lat.reduce((n, x) => n + x.length, 0))
        let off = 0
        for (const x of a.lat) {
          all.set(x, off)
          off += x.length
        }
        const proxyCpu = t.proxy ? a.cpu[t.proxy] : undefined
        const row = {
          target: t.name + label,
          concurrency: level.concurrency,
          rounds: level.rounds,
          requests: a.ok + a.errors,
          ok: a.ok,
          errors: a.errors,
          truncated: a.truncated,
          problems: a.problems,
          elapsedMs: round(a.elapsedMs, 1),
          // Median over rounds (robust to a round disturbed by other load); `perRound` has them all.
          rps: median(a.rounds.map((x) => x.rps)),
          rpsPooled: round(a.ok / (a.elapsedMs / 1000), 0),
          latencyMs: roundAll(summarize(all)),
          p50MedianOfRoundsMs: median(a.rounds.map((x) => x.p50)),
          perRound: a.rounds,
          cpuMs: roundAll(a.cpu),
          proxyCpuUsPerReq: proxyCpu === undefined ? null : round((proxyCpu * 1000) / Math.max(1, a.ok), 1),
          otherCpuPct: round(otherPct(a.cpu, a.elapsedMs), 1),
          rssPeakKb: a.rss,
        }
        log(`non-stream c=${String(level.concurrency).padEnd(4)} ${row.target.padEnd(11)} ${fmt(row.rps, 0).padStart(6)} rps  p50 ${fmt(row.latencyMs.p50, 3)} ms  p99 ${fmt(row.latencyMs.p99, 3)} ms  errors ${row.errors}  proxy ${row.proxyCpuUsPerReq ?? '-'} µs/req  other load ${row.otherCpuPct} %`)
        return row
      })
    }
    const nonStream = []
    for (const level of PLAN.nonStream.levels) nonStream.push(...(await measureNonStream(level, targets, nsBody, checkCompletion)))

    // Informational: Switchyard with a model alias (the non-streamed body is buffered, parsed and
    // re-encoded to put the client's model name back).
    const aliasCheck2 = (ex) => (ex.parts && !ex.text().includes(`"model":"${ALIAS}"`) ? 'model not rewritten back to the alias' : checkCompletion(ex))
    const [aliasRef, alias] = await measureNonStream(PLAN.alias, [targets[1], targets[2]], nonStreamBody(ALIAS), aliasCheck2, ' (alias route)')
    aliasRef.target = 'passthrough (same requests)'
    alias.reference = aliasRef

    // --- Streaming, concurrency 1 -------------------------------------------------------------
    const streamC1 = []
    for (const mode of PLAN.streamC1.modes) {
      const acc = new Map(targets.map((t) => [t.name, { ttfc: [], total: [], gaps: [], errors: 0, truncated: false, problems: {}, cpu: {}, rounds: [], elapsedMs: 0 }]))
      for (let r = 0; r < mode.rounds; r++) {
        for (const t of rotated(r)) {
          const pool = makePool(t.origin, 1)
          await streamBatch(pool, { chunks: mode.chunks, delayMs: mode.delayMs, count: mode.warmup, concurrency: 1, deadlineMs: 10_000 })
          const phase = await runCalmPhase(`stream c=1 ${mode.name} ${t.name} round ${r + 1}`, () =>
            streamBatch(pool, { chunks: mode.chunks, delayMs: mode.delayMs, count: mode.streams, concurrency: 1, deadlineMs: PLAN.streamC1.deadlineMs }),
          )
          await pool.close().catch(() => undefined)
          const a = acc.get(t.name)
          a.ttfc.push(...phase.ttfc)
          a.total.push(...phase.total)
          a.gaps.push(...phase.gaps)
          a.errors += phase.errors
          a.truncated ||= phase.truncated
          for (const [k, v] of Object.entries(phase.problems)) a.problems[k] = (a.problems[k] ?? 0) + v
          for (const [k, v] of Object.entries(phase.cpuMs)) a.cpu[k] = (a.cpu[k] ?? 0) + v
          a.elapsedMs += phase.elapsedMs
          a.rounds.push({ ttfcP50: round(summarize(phase.ttfc).p50, 4), otherCpuPct: round(phase.otherCpuPct, 1), attempts: phase.attempts })
        }
      }
      for (const t of targets) {
        const a = acc.get(t.name)
        const row = {
          mode: mode.name,
          chunks: mode.chunks,
          delayMs: mode.delayMs,
          target: t.name,
          streams: a.ttfc.length + a.errors,
          errors: a.errors,
          truncated: a.truncated,
          problems: a.problems,
          ttfcMs: roundAll(summarize(a.ttfc)),
          totalMs: roundAll(summarize(a.total)),
          maxGapMs: roundAll(summarize(a.gaps)),
          perRound: a.rounds,
          cpuMs: roundAll(a.cpu),
          otherCpuPct: round(otherPct(a.cpu, a.elapsedMs), 1),
        }
        streamC1.push(row)
        log(`stream c=1 ${mode.name.padEnd(10)} ${t.name.padEnd(11)} ttfc p50 ${fmt(row.ttfcMs.p50, 3)} ms  total p50 ${fmt(row.totalMs.p50, 2)} ms  max gap ${fmt(row.maxGapMs.max, 2)} ms  errors ${row.errors}`)
      }
    }

    // --- 1000 concurrent streams --------------------------------------------------------------
    // Per target: a first round that also opens the 1000 connections (through a proxy: 1000 more
    // upstream), then the measured round on the same, now warm, connections. Errors count in both.
    const streams1000 = []
    const S = PLAN.streams1000
    for (const t of targets) {
      const pool = makePool(t.origin, S.streams)
      const rounds = []
      const phase = await runPhase(`streams x${S.streams} ${t.name}`, async () => {
        const out = { errors: 0, problems: {}, elapsedMs: 0 }
        for (let r = 0; r < S.rounds; r++) {
          await mockStats(mock.url, true)
          const res = await streamBatch(pool, { chunks: S.chunks, delayMs: S.delayMs, count: S.streams, concurrency: S.streams, deadlineMs: S.deadlineMs })
          const ms = await mockStats(mock.url)
          rounds.push({ ...res, mockPeakConcurrent: ms.maxConcurrentStreams, mockAborted: ms.aborted })
          out.errors += res.errors
          out.elapsedMs += res.elapsedMs
          for (const [k, v] of Object.entries(res.problems)) out.problems[k] = (out.problems[k] ?? 0) + v
          checkHealth()
        }
        return out
      })
      await pool.close().catch(() => undefined)
      const last = rounds[rounds.length - 1]
      const row = {
        target: t.name,
        streams: S.streams,
        rounds: S.rounds,
        chunks: S.chunks,
        delayMs: S.delayMs,
        errors: phase.errors,
        problems: phase.problems,
        truncated: rounds.some((r) => r.truncated),
        perRound: rounds.map((r) => ({ errors: r.errors, peakOpenAtClient: r.peakOpen, peakConcurrentAtMock: r.mockPeakConcurrent, ttfcP99Ms: round(summarize(r.ttfc).p99, 2), elapsedMs: round(r.elapsedMs, 0) })),
        peakOpenAtClient: last.peakOpen,
        peakConcurrentAtMock: last.mockPeakConcurrent,
        ttfcMs: roundAll(summarize(last.ttfc)),
        totalMs: roundAll(summarize(last.total)),
        maxGapMs: roundAll(summarize(last.gaps)),
        cpuMs: roundAll(phase.cpuMs),
        otherCpuPct: round(otherPct(phase.cpuMs, phase.elapsedMs), 1),
        rssPeakKb: phase.rssPeakKb,
      }
      streams1000.push(row)
      log(`streams x${S.streams} ${t.name.padEnd(11)} errors ${row.errors}  peak open ${row.perRound.map((r) => `${r.peakOpenAtClient}/${r.peakConcurrentAtMock}`).join(', ')}  ttfc p99 ${fmt(row.ttfcMs.p99, 1)} ms  RSS ${t.proxy ? mb(row.rssPeakKb[t.proxy]) : '-'}`)
    }
    await sleep(2000)
    const idleEnd = await rssMark()
    const issue2Phases = phases.length

    // =========================================================================================
    // Issues 3-6, on the same servers, after the issue-2 sections (whose figures, RSS included,
    // are therefore taken as before). Their phases are measured again under interference too,
    // from their own retry budget.
    log('sections of issues 3-6 ...')
    // Only now: the providers and routes of these sections (applied live), and the first request
    // to the TPM-limited provider, which loads the tokenizer (~35 MB of heap, up to a second of
    // CPU): neither must change the issue-2 figures above (RSS included), nor land in a measured
    // round below; the tokenizer loads asynchronously, hence the pause.
    await admin('PUT', '/config', config)
    await sleep(300)
    const applied = await admin('GET', '/config')
    if (applied.providers?.length !== config.providers.length || applied.routes?.length !== config.routes.length) throw new HarnessError('switchyard: the config of the later sections was not applied')
    await preflightLater(sy.url, config)
    await sleep(2000)

    // --- Issues 3 and 4, end to end: a 3-target round-robin route and generous limits, each
    // against the same gateway serving 1 target without limits, interleaved rounds at c=64.
    await mockStats(mock.url, true)
    const variantTargets = [
      { name: 'switchyard, 1 target', origin: sy.url, proxy: 'switchyard', body: nonStreamBody(MODEL) },
      { name: 'switchyard, 3-target round-robin', origin: sy.url, proxy: 'switchyard', body: nonStreamBody(RR3) },
      { name: 'switchyard, generous limits', origin: sy.url, proxy: 'switchyard', body: nonStreamBody(LIMITED) },
      // Issue 12: everything on, and the bare passthrough in the same rounds (its reference).
      { name: 'switchyard, everything on', origin: sy.url, proxy: 'switchyard', body: nonStreamBody(FULL) },
      { name: 'passthrough', origin: pass.url, proxy: 'passthrough', body: nonStreamBody(MODEL) },
    ]
    const variants = await measureNonStream(PLAN.variants, variantTargets, undefined, checkCompletion, '', true)
    // The targets ran back to back within each round: per-round ratios to "1 target" see the same
    // background load on both sides; their median is the figure to read on a busy machine.
    for (const row of variants) {
      row.pairedRatio = round(median(row.perRound.map((x, i) => x.rps / variants[0].perRound[i].rps)), 4)
      row.pairedCpuRatio = round(median(row.perRound.map((x, i) => x.proxyCpuUsPerReq / variants[0].perRound[i].proxyCpuUsPerReq)), 4)
    }
    // --- Issue 12, informational: agent-sized requests (the body parse, routing's prompt shape and
    // the TPM estimate all read the whole prompt; the passthrough reads none of it).
    const AG = PLAN.agent
    const agentTargets = [
      { name: 'passthrough', origin: pass.url, proxy: 'passthrough', body: agentBody(MODEL, AG.kb) },
      { name: 'switchyard, 1 target', origin: sy.url, proxy: 'switchyard', body: agentBody(MODEL, AG.kb) },
      { name: 'switchyard, everything on', origin: sy.url, proxy: 'switchyard', body: agentBody(FULL, AG.kb) },
    ]
    const agent = await measureNonStream(AG, agentTargets, undefined, checkCompletion, ' (agent-sized)', true)
    const passRow = variants.find((row) => row.target === 'passthrough')
    for (const row of variants) row.pairedToPassthrough = round(median(row.perRound.map((x, i) => x.rps / passRow.perRound[i].rps)), 4)
    const byPort = (await mockStats(mock.url)).byPort
    const rrSpread = mock.extraUrls.map((u) => byPort[new URL(u).port] ?? 0)
    log(`round-robin spread over the 3 targets: ${rrSpread.join(' / ')}`)

    // --- Issue 4: 2,000 requests against limits that force queueing ----------------------------
    const QS = PLAN.queueing
    const queueing = []
    for (const sc of QS.scenarios) {
      const body = nonStreamBody(`bench-${sc.provider}`)
      const pool = makePool(sy.url, 1024)
      await closedLoop(pool, { body, concurrency: 4, total: 40, deadlineMs: 10_000, check: checkCompletion })
      // Stalls on either side would show as late answers: the load generator's own event-loop
      // delay and a /health probe of the gateway's are recorded alongside, to say which one.
      const phase = await runCalmPhase(
        `queueing ${sc.name}`,
        async () => {
          const loopDelay = monitorEventLoopDelay({ resolution: 5 })
          loopDelay.enable()
          const probe = healthProbe(sy.url)
          const res = await openLoop(pool, { body, count: QS.requests, ratePerSec: QS.arrivalPerSec, hangAfterMs: QS.hangAfterMs })
          const health = await probe.stop()
          loopDelay.disable()
          return { ...res, loadgenStallMs: loopDelay.max / 1e6, gatewayHealthMs: health }
        },
        true,
      )
      await pool.close().catch(() => undefined)
      await sleep(300)
      const gw = (await admin('GET', '/stats')).providers?.[sc.provider] ?? {}
      const T = QS.queue.timeoutMs
      const times = { 200: [], 429: [], 503: [] }
      const problems = {}
      let hangs = 0
      let otherOutcomes = 0
      let noRetryAfter = 0
      for (const r of phase.recs) {
        if (r.hang) hangs++
        else if (r.error || !times[r.status]) {
          otherOutcomes++
          const p = r.error ?? `HTTP ${r.status}`
          problems[p] = (problems[p] ?? 0) + 1
        } else {
          times[r.status].push(r.endAt - r.sentAt)
          if (r.status !== 200 && r.retryAfter === undefined) noRetryAfter++
        }
      }
      const rejected = [...times[429], ...times[503]]
      const worstRejectMs = rejected.length ? Math.max(...rejected) : 0
      const worstServedMs = times[200].length ? Math.max(...times[200]) : 0
      const row = {
        scenario: sc.name,
        provider: sc.provider,
        upstreamLatencyMs: sc.latencyMs,
        limits: QS.limits,
        queue: QS.queue,
        arrivalPerSec: QS.arrivalPerSec,
        requests: phase.recs.length,
        served: times[200].length,
        timedOut429: times[429].length,
        overflow503: times[503].length,
        otherOutcomes,
        hangs,
        problems,
        rejectedWithoutRetryAfter: noRetryAfter,
        ms200: roundAll(summarize(times[200])),
        ms429: roundAll(summarize(times[429])),
        ms503: roundAll(summarize(times[503])),
        worstRejectMs: round(worstRejectMs, 1),
        worstRejectOvershootMs: round(worstRejectMs - T, 1),
        worstServedMs: round(worstServedMs, 1),
        // Time a served request spent before its upstream call began (at most the queue timeout).
        worstServedWaitMs: round(worstServedMs - sc.latencyMs, 1),
        gatewayAfter: { queued: gw.queued, inFlight: gw.inFlight, admitted: gw.admitted, rejected: gw.rejected },
        loadgenStallMs: round(phase.loadgenStallMs, 1),
        gatewayHealthMs: phase.gatewayHealthMs,
        elapsedMs: round(phase.elapsedMs, 0),
        cpuMs: roundAll(phase.cpuMs),
        otherCpuPct: round(phase.otherCpuPct, 1),
      }
      row.pass =
        row.requests === QS.requests && hangs === 0 && otherOutcomes === 0 && worstRejectMs <= T + QS.slackMs && gw.queued === 0 && gw.inFlight === 0
      queueing.push(row)
      log(`queueing ${sc.name}: ${row.served} served, ${row.timedOut429} x 429, ${row.overflow503} x 503, ${otherOutcomes} other, ${hangs} hangs; worst 429/503 after ${fmt(worstRejectMs, 0)} ms (timeout ${T}); worst served ${fmt(worstServedMs, 0)} ms`)
    }

    // --- Issue 5: usage ledger off / written in-process / written by its worker thread ----------
    // `worker` and `off` are the same gateway with usage.ledger switched through the admin API;
    // `main` is a second gateway (same build, same config, its own data dir) whose ledger writes
    // on the event loop as before the worker (SWITCHYARD_LEDGER_WRITER=main). Started only now,
    // so that nothing above sees it; idle afterwards.
    const L = PLAN.ledger
    const mainConfigFile = path.join(tmp, 'config-main.json')
    fs.writeFileSync(mainConfigFile, JSON.stringify(config, null, 2))
    const syMain = await spawnServer(
      'switchyard-main',
      [cli === path.join(ROOT, 'out/main/cli.js') ? path.join(ROOT, 'bin/switchyard.js') : cli, 'serve', '--config', mainConfigFile, '--data-dir', path.join(tmp, 'data-main'), '--port', '0', '--admin-token', adminToken, '--log-level', 'warn'],
      profFlags('switchyard-main'),
      { SWITCHYARD_LEDGER_WRITER: 'main' },
    )
    watchPids()
    const adminMain = (method, pathname, body) => adminJson(syMain.url, adminToken, method, pathname, body)
    const writerOf = async (url) => (await (await request(`${url}/health`)).body.json()).ledger?.writer
    if ((await writerOf(sy.url)) !== 'worker') throw new HarnessError(`switchyard: its ledger is not written by the worker thread (/health says ${await writerOf(sy.url)})`)
    if ((await writerOf(syMain.url)) !== 'main') throw new HarnessError('switchyard-main: SWITCHYARD_LEDGER_WRITER=main was not honoured')
    await preflightLater(syMain.url, config)
    {
      // The other gateway has served the whole run so far: warm this one up as much (JIT, pools).
      const pool = makePool(syMain.url, L.concurrency)
      await closedLoop(pool, { body: nonStreamBody(LEDGER_MODEL), concurrency: L.concurrency, total: L.mainWarmup, deadlineMs: 30_000, check: checkCompletion })
      await streamBatch(pool, { chunks: 20, delayMs: 0, body: streamBody(20, 0, LEDGER_MODEL), concurrency: 16, count: 200, deadlineMs: 20_000 })
      await pool.close().catch(() => undefined)
    }
    const LEDGER_MODES = [
      { mode: 'off', url: sy.url, proc: 'switchyard', ledger: false },
      { mode: 'main', url: syMain.url, proc: 'switchyard-main', ledger: true },
      { mode: 'worker', url: sy.url, proc: 'switchyard', ledger: true },
    ]
    const setLedger = async (on) => {
      const cfg = await admin('GET', '/config')
      if ((cfg.usage?.ledger !== false) === on) return
      await admin('PUT', '/config', { ...cfg, usage: { ...cfg.usage, ledger: on } })
      const now = await admin('GET', '/config')
      if ((now.usage?.ledger !== false) !== on) throw new HarnessError(`usage.ledger did not switch ${on ? 'on' : 'off'}`)
    }
    const since = new Date(Date.now() - 60_000).toISOString()
    const ledgerRowCount = async (adminOf) => {
      await sleep(1500) // the ledger writes within its batch window (<= 1 s)
      const { rows } = await adminOf('GET', `/usage?groupBy=provider&from=${encodeURIComponent(since)}`)
      return rows.find((r) => r.provider === 'ledger')?.requests ?? 0
    }
    const ledgerBody = nonStreamBody(LEDGER_MODEL)
    const rowsBefore = { worker: await ledgerRowCount(admin), main: await ledgerRowCount(adminMain) }
    const sentWhileOn = { worker: 0, main: 0 }
    const ledgerAcc = Object.fromEntries(LEDGER_MODES.map((m) => [m.mode, { rounds: [], lat: [] }]))
    const modeOrder = (r) => LEDGER_MODES.map((_, i) => LEDGER_MODES[(i + r) % LEDGER_MODES.length])
    for (let r = 0; r < L.rounds; r++) {
      for (const m of modeOrder(r)) {
        if (m.url === sy.url) await setLedger(m.ledger)
        const pool = makePool(m.url, L.concurrency)
        const w = await closedLoop(pool, { body: ledgerBody, concurrency: L.concurrency, total: L.warmup, deadlineMs: 10_000, check: checkCompletion })
        if (m.ledger) sentWhileOn[m.mode] += w.ok + w.errors
        const phase = await runCalmPhase(
          `ledger ${m.mode} round ${r + 1}`,
          async () => {
            const res = await closedLoop(pool, { body: ledgerBody, concurrency: L.concurrency, total: L.requests, deadlineMs: PLAN.nonStream.deadlineMs, check: checkCompletion })
            if (m.ledger) sentWhileOn[m.mode] += res.ok + res.errors
            return res
          },
          true,
        )
        await pool.close().catch(() => undefined)
        const a = ledgerAcc[m.mode]
        a.lat.push(phase.lat)
        a.rounds.push({ ok: phase.ok, errors: phase.errors, rps: round(phase.ok / (phase.elapsedMs / 1000), 0), cpuUsPerReq: round((phase.cpuMs[m.proc] * 1000) / Math.max(1, phase.ok), 1), otherCpuPct: round(phase.otherCpuPct, 1), attempts: phase.attempts })
        delete phase.lat
      }
    }
    await setLedger(true)
    const rowsRecorded = { worker: (await ledgerRowCount(admin)) - rowsBefore.worker, main: (await ledgerRowCount(adminMain)) - rowsBefore.main }
    const ledgerModes = Object.fromEntries(
      Object.entries(ledgerAcc).map(([mode, a]) => {
        const all = Float64Array.from(a.lat.flatMap((x) => Array.from(x)))
        const requests = a.rounds.reduce((n, x) => n + x.ok + x.errors, 0)
        const errors = a.rounds.reduce((n, x) => n + x.errors, 0)
        return [mode, { requests, errors, rps: median(a.rounds.map((x) => x.rps)), cpuUsPerReq: median(a.rounds.map((x) => x.cpuUsPerReq)), latencyMs: roundAll(summarize(all)), perRound: a.rounds, otherCpuPct: round(median(a.rounds.map((x) => x.otherCpuPct)), 1) }]
      }),
    )
    log(`ledger RPS at c=${L.concurrency}: off ${ledgerModes.off.rps}, in-process ${ledgerModes.main.rps}, worker ${ledgerModes.worker.rps} (CPU µs/req ${ledgerModes.off.cpuUsPerReq} / ${ledgerModes.main.cpuUsPerReq} / ${ledgerModes.worker.cpuUsPerReq}); rows recorded ${rowsRecorded.worker} / ${sentWhileOn.worker} (worker), ${rowsRecorded.main} / ${sentWhileOn.main} (in-process)`)

    // Paced streams while non-stream load makes the ledger flush full batches.
    const G = L.gap
    const gapAcc = Object.fromEntries(LEDGER_MODES.map((m) => [m.mode, { maxGaps: [], reads: [], streams: 0, errors: 0, loadRps: [], other: [], problems: {} }]))
    for (let r = 0; r < G.rounds; r++) {
      for (const m of modeOrder(r)) {
        if (m.url === sy.url) await setLedger(m.ledger)
        const loadPool = makePool(m.url, 256)
        const streamPool = makePool(m.url, G.streamConcurrency)
        const streamOpts = { chunks: G.chunks, delayMs: G.delayMs, body: streamBody(G.chunks, G.delayMs, LEDGER_MODEL), concurrency: G.streamConcurrency }
        await closedLoop(loadPool, { body: ledgerBody, concurrency: 16, total: L.warmup, deadlineMs: 10_000, check: checkCompletion })
        await streamBatch(streamPool, { ...streamOpts, count: G.streamConcurrency * 2, deadlineMs: 10_000 })
        const reads = []
        const phase = await runCalmPhase(
          `ledger ${m.mode} stream gaps round ${r + 1}`,
          async () => {
            reads.length = 0
            const loadDone = openLoop(loadPool, { body: ledgerBody, count: Math.round((G.loadPerSec * G.durationMs) / 1000), ratePerSec: G.loadPerSec, hangAfterMs: 10_000 })
            const st = await streamBatch(streamPool, { ...streamOpts, count: G.streams, deadlineMs: G.deadlineMs, readGaps: reads })
            const load = await loadDone
            const ok = load.recs.filter((x) => x.status === 200).length
            return { ...st, load: { ok, errors: load.recs.length - ok, elapsedMs: load.elapsedMs } }
          },
          true,
        )
        await Promise.all([loadPool.close(), streamPool.close()]).catch(() => undefined)
        const a = gapAcc[m.mode]
        a.maxGaps.push(...phase.gaps)
        a.reads.push(...reads)
        a.streams += phase.ok + phase.errors
        a.errors += phase.errors + phase.load.errors
        for (const [k, v] of Object.entries(phase.problems)) a.problems[k] = (a.problems[k] ?? 0) + v
        a.loadRps.push(round(phase.load.ok / (phase.load.elapsedMs / 1000), 0))
        a.other.push(round(phase.otherCpuPct, 1))
      }
    }
    await setLedger(true)
    const ledgerGaps = Object.fromEntries(
      Object.entries(gapAcc).map(([mode, a]) => [mode, { streams: a.streams, errors: a.errors, problems: a.problems, streamMaxGapMs: roundAll(summarize(a.maxGaps)), readGapMs: roundAll(summarize(a.reads)), loadRps: a.loadRps, otherCpuPct: a.other }]),
    )
    // Each round ran the modes back to back: the median of the per-round ratios cancels the slow
    // drift of other tenants' load, which the ratio of the two medians does not.
    const pairedRatios = (mode) => ledgerModes[mode].perRound.map((x, i) => x.rps / ledgerModes.off.perRound[i].rps)
    const added = (mode, k) => round(ledgerGaps[mode][k === 'read' ? 'readGapMs' : 'streamMaxGapMs'][k === 'read' ? 'p99' : k] - ledgerGaps.off[k === 'read' ? 'readGapMs' : 'streamMaxGapMs'][k === 'read' ? 'p99' : k], 2)
    const ledger = {
      concurrency: L.concurrency,
      modes: ledgerModes,
      // on = written by the worker thread (the product's default); in-process alongside.
      ratioOfMedians: round(ledgerModes.worker.rps / ledgerModes.off.rps, 4),
      pairedRatios: pairedRatios('worker').map((x) => round(x, 3)),
      ratio: round(median(pairedRatios('worker')), 4),
      cpuRatio: round(ledgerModes.worker.cpuUsPerReq / ledgerModes.off.cpuUsPerReq, 4),
      inProcess: {
        pairedRatios: pairedRatios('main').map((x) => round(x, 3)),
        ratio: round(median(pairedRatios('main')), 4),
        cpuRatio: round(ledgerModes.main.cpuUsPerReq / ledgerModes.off.cpuUsPerReq, 4),
        rowsRecorded: rowsRecorded.main,
        sentWhileOn: sentWhileOn.main,
        addedP99GapMs: added('main', 'p99'),
        addedMaxGapMs: added('main', 'max'),
        addedReadP99GapMs: added('main', 'read'),
      },
      rowsRecorded: rowsRecorded.worker,
      sentWhileOn: sentWhileOn.worker,
      gaps: ledgerGaps,
      addedMaxGapMs: added('worker', 'max'),
      addedP99GapMs: added('worker', 'p99'),
      addedP90GapMs: added('worker', 'p90'),
      addedP50GapMs: added('worker', 'p50'),
      addedReadP99GapMs: added('worker', 'read'),
    }
    log(`ledger stream gaps, per-stream max gap p99: off ${fmt(ledgerGaps.off.streamMaxGapMs.p99, 2)} ms, in-process ${fmt(ledgerGaps.main.streamMaxGapMs.p99, 2)} ms, worker ${fmt(ledgerGaps.worker.streamMaxGapMs.p99, 2)} ms; all reads p99 ${fmt(ledgerGaps.off.readGapMs.p99, 2)} / ${fmt(ledgerGaps.main.readGapMs.p99, 2)} / ${fmt(ledgerGaps.worker.readGapMs.p99, 2)} ms`)

    // --- Issue 6: translation vs passthrough, streaming at c=16 --------------------------------
    const TR = PLAN.translation
    const translation = []
    for (const m of TR.modes) {
      const vs = translationVariants(m)
      const acc = new Map(vs.map((v) => [v.key, { ttfc: [], total: [], maxGaps: [], reads: [], ok: 0, errors: 0, problems: {}, rounds: [] }]))
      for (let r = 0; r < m.rounds; r++) {
        for (let i = 0; i < vs.length; i++) {
          const v = vs[(i + r) % vs.length]
          const pool = makePool(sy.url, TR.concurrency)
          const common = { chunks: m.chunks, delayMs: m.delayMs, body: v.body, path: v.path, headers: v.headers, check: v.check, concurrency: TR.concurrency }
          await streamBatch(pool, { ...common, count: m.warmup, deadlineMs: 10_000 })
          const reads = []
          const phase = await runCalmPhase(
            `streams c=${TR.concurrency} ${m.name} ${v.key} round ${r + 1}`,
            () => {
              reads.length = 0
              return streamBatch(pool, { ...common, count: m.streams, deadlineMs: TR.deadlineMs, readGaps: m.delayMs > 0 ? reads : undefined })
            },
            true,
          )
          await pool.close().catch(() => undefined)
          const a = acc.get(v.key)
          a.ttfc.push(...phase.ttfc)
          a.total.push(...phase.total)
          a.maxGaps.push(...phase.gaps)
          a.reads.push(...reads)
          a.ok += phase.ok
          a.errors += phase.errors
          for (const [k, val] of Object.entries(phase.problems)) a.problems[k] = (a.problems[k] ?? 0) + val
          a.rounds.push({ streamsPerSec: round(phase.ok / (phase.elapsedMs / 1000), 1), cpuUsPerStream: round((phase.cpuMs.switchyard * 1000) / Math.max(1, phase.ok), 1), otherCpuPct: round(phase.otherCpuPct, 1), attempts: phase.attempts })
        }
      }
      for (const v of vs) {
        const a = acc.get(v.key)
        const row = {
          mode: m.name,
          chunks: m.chunks,
          delayMs: m.delayMs,
          variant: v.key,
          name: v.name,
          streams: a.ok + a.errors,
          errors: a.errors,
          problems: a.problems,
          streamsPerSec: median(a.rounds.map((x) => x.streamsPerSec)),
          cpuUsPerStream: median(a.rounds.map((x) => x.cpuUsPerStream)),
          ttfcMs: roundAll(summarize(a.ttfc)),
          totalMs: roundAll(summarize(a.total)),
          streamMaxGapMs: roundAll(summarize(a.maxGaps)),
          readGapMs: m.delayMs > 0 ? roundAll(summarize(a.reads)) : undefined,
          perRound: a.rounds,
          otherCpuPct: round(median(a.rounds.map((x) => x.otherCpuPct)), 1),
        }
        translation.push(row)
        log(`streams c=${TR.concurrency} ${m.name.padEnd(10)} ${v.key.padEnd(21)} ${fmt(row.streamsPerSec, 0).padStart(5)} streams/s  ttfc p50 ${fmt(row.ttfcMs.p50, 2)} ms  max gap p99 ${fmt(row.streamMaxGapMs.p99, 2)} ms  ${row.cpuUsPerStream} µs/stream  errors ${row.errors}`)
      }
    }

    await stopChildren()
    const overall = phases.slice(0, issue2Phases).reduce((acc, p) => {
      for (const [k, v] of Object.entries(p.rssPeakKb)) acc[k] = Math.max(acc[k] ?? 0, v)
      return acc
    }, {})

    const memory = {}
    for (const name of ['mock', 'passthrough', 'switchyard']) {
      memory[name] = {
        idleStartKb: idleStart.nowKb[name],
        peakNonStreamC1000Kb: nonStream.filter((r) => r.concurrency === 1000).reduce((m, r) => Math.max(m, r.rssPeakKb[name] ?? 0), 0),
        peakStreams1000Kb: streams1000.reduce((m, r) => Math.max(m, r.rssPeakKb[name] ?? 0), 0),
        // Peak while this process itself was the target of the 1000 streams (the target's figure).
        peakOwnStreams1000Kb: streams1000.find((r) => r.target === name)?.rssPeakKb[name] ?? null,
        peakOverallKb: overall[name],
        idleEndKb: idleEnd.nowKb[name],
      }
    }

    // --- Targets ------------------------------------------------------------------------------
    const ns = (c, t) => nonStream.find((r) => r.concurrency === c && r.target === t)
    const sc = (mode, t) => streamC1.find((r) => r.mode === mode && r.target === t)
    const s1k = (t) => streams1000.find((r) => r.target === t)
    const thr = ns(64, 'switchyard').rps / ns(64, 'passthrough').rps
    const addedP50 = ns(1, 'switchyard').latencyMs.p50 - ns(1, 'direct').latencyMs.p50
    const ttfcOver = PLAN.streamC1.modes.map((m) => ({ mode: m.name, ms: sc(m.name, 'switchyard').ttfcMs.p50 - sc(m.name, 'direct').ttfcMs.p50 }))
    const syErrors = s1k('switchyard').errors
    const syRss = memory.switchyard.peakOwnStreams1000Kb
    const ptRss = memory.passthrough.peakOwnStreams1000Kb
    const vr = (name) => variants.find((row) => row.target === name)
    const fullRatio = vr('switchyard, everything on').pairedToPassthrough
    const defaultsRatio = vr('switchyard, 1 target').pairedToPassthrough
    const addedP50Pass = ns(1, 'switchyard').latencyMs.p50 - ns(1, 'passthrough').latencyMs.p50
    const ttfcOverPass = PLAN.streamC1.modes.map((m) => ({ mode: m.name, ms: sc(m.name, 'switchyard').ttfcMs.p50 - sc(m.name, 'passthrough').ttfcMs.p50 }))
    const targetsOut = [
      { issue: 2, id: 'throughput-c64', what: 'Switchyard RPS at c=64 / passthrough RPS', value: round(thr, 3), display: `${pct(thr)} (${fmt(ns(64, 'switchyard').rps, 0)} / ${fmt(ns(64, 'passthrough').rps, 0)})`, threshold: '>= 80 %', pass: thr >= 0.8 },
      { issue: 2, id: 'added-p50-c1', what: 'p50 latency added over direct at c=1', value: round(addedP50, 4), display: `${fmt(addedP50, 3)} ms (${fmt(ns(1, 'switchyard').latencyMs.p50, 3)} - ${fmt(ns(1, 'direct').latencyMs.p50, 3)})`, threshold: '< 0.3 ms', pass: addedP50 < 0.3 },
      ...ttfcOver.map((x) => ({
        issue: 2,
        id: `ttfc-overhead-c1-${x.mode.replace(/\W+/g, '-')}`,
        what: `stream time-to-first-chunk p50 added over direct at c=1, chunks ${x.mode}`,
        value: round(x.ms, 4),
        display: `${fmt(x.ms, 3)} ms (${fmt(sc(x.mode, 'switchyard').ttfcMs.p50, 3)} - ${fmt(sc(x.mode, 'direct').ttfcMs.p50, 3)})`,
        threshold: '< 0.5 ms',
        pass: x.ms < 0.5,
      })),
      { issue: 2, id: 'errors-1000-streams', what: 'errors over 1000 concurrent streams', value: syErrors, display: `${syErrors} (in ${S.rounds} x ${S.streams} streams)`, threshold: '0', pass: syErrors === 0 && !s1k('switchyard').truncated },
      { issue: 2, id: 'rss-1000-streams', what: 'peak RSS under 1000 streams / passthrough peak RSS', value: round(syRss / ptRss, 3), display: `${fmt(syRss / ptRss, 2)}x (${mb(syRss)} / ${mb(ptRss)})`, threshold: '<= 1.3x', pass: syRss / ptRss <= 1.3 },
      ...queueing.map((q) => ({
        issue: 4,
        id: `queueing-${q.provider}`,
        what: `${QS.requests} requests against maxConcurrent ${QS.limits.maxConcurrent}, queue ${QS.queue.maxSize} / ${QS.queue.timeoutMs} ms, ${q.scenario}, ${QS.arrivalPerSec}/s arriving: hangs, and the slowest 429/503`,
        value: q.worstRejectMs,
        display: `${q.hangs} hangs, ${q.otherOutcomes} other outcomes; ${q.served} served, ${q.timedOut429} x 429, ${q.overflow503} x 503; slowest 429/503 after ${fmt(q.worstRejectMs, 0)} ms (${q.worstRejectOvershootMs >= 0 ? '+' : ''}${fmt(q.worstRejectOvershootMs, 0)} ms vs the timeout; meanwhile the gateway's /health took up to ${fmt(q.gatewayHealthMs?.max, 0)} ms and the load generator stalled up to ${fmt(q.loadgenStallMs, 0)} ms)${q.gatewayAfter.queued === 0 && q.gatewayAfter.inFlight === 0 ? '' : `; left in the gateway: ${q.gatewayAfter.queued} queued, ${q.gatewayAfter.inFlight} in flight`}`,
        threshold: `0 hangs; every 429/503 <= ${QS.queue.timeoutMs + QS.slackMs} ms`,
        pass: q.pass,
      })),
      {
        issue: 5,
        id: 'ledger-throughput',
        what: `Switchyard RPS at c=${L.concurrency}, usage ledger on (written by its worker thread) / off (${ledgerModes.worker.requests} + ${ledgerModes.off.requests} requests; ${rowsRecorded.worker} rows recorded for the ${sentWhileOn.worker} sent while on)`,
        value: ledger.ratio,
        display: `${pct(ledger.ratio)} (median of the ${ledger.pairedRatios.length} back-to-back round pairs; medians ${fmt(ledgerModes.worker.rps, 0)} / ${fmt(ledgerModes.off.rps, 0)} rps = ${pct(ledger.ratioOfMedians)}; Switchyard CPU ${ledgerModes.worker.cpuUsPerReq} / ${ledgerModes.off.cpuUsPerReq} µs/req; written in-process instead: ${pct(ledger.inProcess.ratio)})${rowsRecorded.worker === sentWhileOn.worker && rowsRecorded.main === sentWhileOn.main ? '' : ' — ROW COUNT MISMATCH'}`,
        threshold: `>= ${100 - L.maxDropPct} %, every row recorded`,
        pass: ledger.ratio >= 1 - L.maxDropPct / 100 && rowsRecorded.worker === sentWhileOn.worker && rowsRecorded.main === sentWhileOn.main,
      },
      {
        issue: 12,
        id: 'throughput-everything-on-c64',
        what: `Switchyard RPS at c=${PLAN.variants.concurrency}, everything on (rpm/tpm/maxConcurrent limits, a two-target route, prices, the ledger) / the bare passthrough, same rounds`,
        value: fullRatio,
        display: `${pct(fullRatio)} (median of ${PLAN.variants.rounds} per-round ratios; medians ${fmt(vr('switchyard, everything on').rps, 0)} / ${fmt(vr('passthrough').rps, 0)} rps)`,
        threshold: '>= 100 %',
        pass: fullRatio >= 1,
      },
      {
        issue: 12,
        id: 'throughput-defaults-c64',
        what: `Switchyard RPS at c=${PLAN.variants.concurrency}, defaults (one target, the ledger on) / the bare passthrough, same rounds`,
        value: defaultsRatio,
        display: `${pct(defaultsRatio)} (median of ${PLAN.variants.rounds} per-round ratios; medians ${fmt(vr('switchyard, 1 target').rps, 0)} / ${fmt(vr('passthrough').rps, 0)} rps)`,
        threshold: '>= 110 %',
        pass: defaultsRatio >= 1.1,
      },
      { issue: 12, id: 'added-p50-c1-passthrough', what: 'p50 latency added over the bare passthrough at c=1', value: round(addedP50Pass, 4), display: `${signed(addedP50Pass)} ms (${fmt(ns(1, 'switchyard').latencyMs.p50, 3)} - ${fmt(ns(1, 'passthrough').latencyMs.p50, 3)})`, threshold: '<= 0 ms', pass: addedP50Pass <= 0 },
      ...ttfcOverPass.map((x) => ({
        issue: 12,
        id: `ttfc-over-passthrough-c1-${x.mode.replace(/\W+/g, '-')}`,
        what: `stream time-to-first-chunk p50 added over the bare passthrough at c=1, chunks ${x.mode}`,
        value: round(x.ms, 4),
        display: `${signed(x.ms)} ms (${fmt(sc(x.mode, 'switchyard').ttfcMs.p50, 3)} - ${fmt(sc(x.mode, 'passthrough').ttfcMs.p50, 3)})`,
        threshold: '<= 0.2 ms',
        pass: x.ms <= 0.2,
      })),
      { issue: 12, id: 'rss-1000-streams', what: 'peak RSS under 1000 streams / passthrough peak RSS (the issue 2 measurement)', value: round(syRss / ptRss, 3), display: `${fmt(syRss / ptRss, 2)}x (${mb(syRss)} / ${mb(ptRss)})`, threshold: '<= 1.3x', pass: syRss / ptRss <= 1.3 },
      {
        issue: 12,
        id: 'ledger-chunk-gap',
        what: `p99 of the per-stream largest inter-chunk gap, ledger on (worker thread) minus off, streams ${G.delayMs} ms apart under ${G.loadPerSec} requests/s`,
        value: ledger.addedP99GapMs,
        display: `${signed(ledger.addedP99GapMs)} ms (${fmt(ledgerGaps.worker.streamMaxGapMs.p99, 2)} - ${fmt(ledgerGaps.off.streamMaxGapMs.p99, 2)}; all reads p99 ${signed(ledger.addedReadP99GapMs)} ms; written in-process instead: ${signed(ledger.inProcess.addedP99GapMs)} ms)`,
        threshold: '<= 0.5 ms',
        pass: ledger.addedP99GapMs <= 0.5,
      },
    ]
    // Not targets: what Switchyard costs on top of the bare Node proxy (the hop itself excluded).
    const ownCost = [
      { what: 'p50 latency added over passthrough at c=1', display: `${fmt(ns(1, 'switchyard').latencyMs.p50 - ns(1, 'passthrough').latencyMs.p50, 3)} ms (the passthrough hop itself adds ${fmt(ns(1, 'passthrough').latencyMs.p50 - ns(1, 'direct').latencyMs.p50, 3)} ms)` },
      { what: 'TTFC p50 added over passthrough at c=1', display: PLAN.streamC1.modes.map((m) => `${m.name}: ${fmt(sc(m.name, 'switchyard').ttfcMs.p50 - sc(m.name, 'passthrough').ttfcMs.p50, 3)} ms (hop: ${fmt(sc(m.name, 'passthrough').ttfcMs.p50 - sc(m.name, 'direct').ttfcMs.p50, 3)} ms)`).join('; ') },
      { what: 'proxy CPU per request, switchyard / passthrough', display: [64, 256, 1000].map((c) => `c=${c}: ${ns(c, 'switchyard').proxyCpuUsPerReq} / ${ns(c, 'passthrough').proxyCpuUsPerReq} µs (${fmt(ns(c, 'switchyard').proxyCpuUsPerReq / ns(c, 'passthrough').proxyCpuUsPerReq, 2)}x)`).join('; ') },
    ]

    const result = {
      startedAt: startedAt.toISOString(),
      durationS: round((Date.now() - startedAt.getTime()) / 1000, 1),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMb: Math.round(os.totalmem() / 1048576), platform: `${os.platform()} ${os.release()}`, openFilesLimit: openFilesLimit() },
      gitCommit: gitCommit(),
      note: 'The load generator (this process), the mock upstream and the proxy under test share the same cores; CPU figures are per process.',
      plan: PLAN,
      quick: opts.quick,
      profiled: opts.profile,
      nonStream,
      alias,
      streamC1,
      streams1000,
      memory,
      micro,
      variants: { rows: variants, roundRobinSpread: rrSpread },
      agent: { bodyBytes: agentBody(FULL, PLAN.agent.kb).length, rows: agent },
      queueing,
      ledger,
      translation,
      targets: targetsOut,
      ownCost,
      retries,
      stderrLines: Object.fromEntries([...children].map(([n, c]) => [n, c.stderrLines])),
      stderrTail: Object.fromEntries([...children].filter(([, c]) => c.stderrLines > 0).map(([n, c]) => [n, c.stderrTail])),
    }
    fs.mkdirSync(path.dirname(opts.out), { recursive: true })
    fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n')
    const md = report(result)
    fs.writeFileSync(opts.out.replace(/\.json$/, '') + '.md', md)
    process.stdout.write('\n' + md)
    process.stdout.write(`\nJSON: ${path.relative(ROOT, opts.out)}\n`)
    if (opts.profile) process.stdout.write(`CPU profiles: ${path.relative(ROOT, profileDir)}/ (node bench/profile-top.mjs FILE)\n`)
  } finally {
    await stopChildren()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Report.
function report(r) {
  const L = []
  const cores = r.machine.cpus
  L.push(`## Switchyard bench — ${r.startedAt}${r.quick ? ' (quick)' : ''}${r.profiled ? ' (profiled: numbers inflated by --cpu-prof)' : ''}`)
  L.push('')
  L.push(`Node ${r.machine.node}, ${cores} CPU cores (${r.machine.cpuModel}), ${r.machine.platform}, commit ${r.gitCommit ?? '?'}; run took ${r.durationS} s.`)
  L.push(`**The load generator, the mock upstream and the proxy under test all share these ${cores} cores**: a proxy's CPU time is taken from the`)
  L.push('same budget as the load it serves, so RPS here is a ratio-meaningful figure, not an absolute capacity. CPU columns are % of one core; "machine busy" is % of all cores from /proc/stat.')
  L.push('')
  L.push('### Targets')
  L.push('')
  if (r.retries.length) {
    L.push(`${r.retries.length} measured run(s) were repeated because other work on the machine took more than ${r.plan.interference.maxOtherPct} % of its CPU (the calmest attempt is kept; see "other %").`)
    L.push('')
  }
  L.push('| issue | target | measured | threshold | result |')
  L.push('|---:|---|---|---|---|')
  for (const t of r.targets) L.push(`| ${t.issue} | ${t.what} | ${t.display} | ${t.threshold} | **${t.pass ? 'PASS' : 'FAIL'}** |`)
  L.push('')
  L.push("Switchyard's own cost on top of the bare passthrough (informational):")
  L.push('')
  for (const c of r.ownCost) L.push(`- ${c.what}: ${c.display}`)
  L.push('')
  const lv = r.plan.nonStream.levels
  L.push(`### Non-streaming \`POST ${CHAT_PATH}\``)
  L.push('')
  L.push(`Per level and target: ${lv[0].rounds} rounds of a fixed request count (${lv.map((l) => `c=${l.concurrency}: ${l.requests}`).join(', ')}), each after a warm-up, targets interleaved in rotated order.`)
  L.push('RPS = median of the rounds; latency (send -> last body byte) pooled over the rounds. "other %" = machine CPU not used by the bench\'s processes (other tenants), % of all cores.')
  L.push('')
  L.push('| conc | target | requests | errors | RPS | vs passthrough | p50 ms | p90 ms | p99 ms | max ms | proxy CPU µs/req | CPU % gen / mock / proxy | machine busy % / other % |')
  L.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|')
  for (const row of [...r.nonStream, r.alias.reference, r.alias]) {
    const ref = row === r.alias ? r.alias.reference : r.nonStream.find((x) => x.concurrency === row.concurrency && x.target === 'passthrough')
    if (row === r.alias.reference) L.push('| | *informational: requests for a route alias, which Switchyard answers by re-encoding the body with the client\'s model name* | | | | | | | | | | | |')
    const proxy = row.target.startsWith('switchyard') ? 'switchyard' : row.target.startsWith('passthrough') ? 'passthrough' : undefined
    const cpu = (n) => (n === undefined ? '-' : fmt((row.cpuMs[n] / row.elapsedMs) * 100, 0))
    L.push(
      `| ${row.concurrency} | ${row.target}${row.truncated ? ' (time-bounded)' : ''} | ${row.requests} | ${row.errors} | ${fmt(row.rps, 0)} | ${row.target === 'direct' || row === r.alias.reference ? '' : pct(row.rps / ref.rps)} | ${fmt(row.latencyMs.p50, 3)} | ${fmt(row.latencyMs.p90, 3)} | ${fmt(row.latencyMs.p99, 3)} | ${fmt(row.latencyMs.max, 1)} | ${row.proxyCpuUsPerReq ?? '-'} | ${cpu('loadgen')} / ${cpu('mock')} / ${cpu(proxy)} | ${busy(row)} / ${fmt(row.otherCpuPct, 0)} |`,
    )
  }
  L.push('')
  L.push(`### Streaming at concurrency 1 (client-side: TTFC = send -> first body byte; gap = largest pause between two reads; ${r.plan.streamC1.modes[0].rounds} interleaved rounds)`)
  L.push('')
  L.push('| chunks | target | streams | errors | TTFC p50 ms | TTFC p99 ms | total p50 ms | total p99 ms | max gap p50 ms | max gap worst ms | other % |')
  L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of r.streamC1) {
    L.push(`| ${row.chunks} ${row.mode} | ${row.target} | ${row.streams} | ${row.errors} | ${fmt(row.ttfcMs.p50, 3)} | ${fmt(row.ttfcMs.p99, 3)} | ${fmt(row.totalMs.p50, 2)} | ${fmt(row.totalMs.p99, 2)} | ${fmt(row.maxGapMs.p50, 2)} | ${fmt(row.maxGapMs.max, 2)} | ${fmt(row.otherCpuPct, 0)} |`)
  }
  L.push('')
  const s = r.streams1000[0]
  L.push(`### ${s.streams} concurrent streams (${s.chunks} chunks ${s.delayMs} ms apart; ${s.rounds} rounds on the same pool: the first also opens the connections, timings are from the last; errors from all)`)
  L.push('')
  L.push('| target | errors | peak open at client / at mock | TTFC p50 ms | TTFC p99 ms | total p50 ms | total p99 ms | max gap p99 ms | proxy peak RSS | CPU s gen / mock / proxy |')
  L.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---|')
  for (const row of r.streams1000) {
    const proxy = row.target === 'direct' ? undefined : row.target
    L.push(
      `| ${row.target}${row.truncated ? ' (time-bounded)' : ''} | ${row.errors} | ${row.peakOpenAtClient} / ${row.peakConcurrentAtMock} | ${fmt(row.ttfcMs.p50, 2)} | ${fmt(row.ttfcMs.p99, 2)} | ${fmt(row.totalMs.p50, 1)} | ${fmt(row.totalMs.p99, 1)} | ${fmt(row.maxGapMs.p99, 2)} | ${proxy ? mb(row.rssPeakKb[proxy]) : '-'} | ${fmt(row.cpuMs.loadgen / 1000, 2)} / ${fmt(row.cpuMs.mock / 1000, 2)} / ${proxy ? fmt(row.cpuMs[proxy] / 1000, 2) : '-'} |`,
    )
  }
  L.push('')
  L.push(`### Memory (VmRSS from /proc, sampled every ${r.plan.rssIntervalMs} ms by a worker thread)`)
  L.push('')
  L.push('| process | idle at start | peak, non-stream c=1000 | peak, 1000 streams through it | peak overall | idle at end |')
  L.push('|---|---:|---:|---:|---:|---:|')
  for (const [name, m] of Object.entries(r.memory)) {
    L.push(`| ${name} | ${mb(m.idleStartKb)} | ${mb(m.peakNonStreamC1000Kb)} | ${mb(name === 'mock' ? m.peakStreams1000Kb : m.peakOwnStreams1000Kb)} | ${mb(m.peakOverallKb)} | ${mb(m.idleEndKb)} |`)
  }
  L.push(...reportLater(r))
  const problems = [...r.nonStream, r.alias.reference, r.alias, ...r.streamC1, ...r.streams1000, ...r.variants.rows, ...(r.agent?.rows ?? []), ...r.translation].filter((x) => x.errors > 0)
  if (problems.length) {
    L.push('')
    L.push('### Errors seen')
    L.push('')
    for (const p of problems) L.push(`- ${p.target ?? p.name} ${p.concurrency ? `c=${p.concurrency}` : p.mode ?? `x${p.streams}`}: ${JSON.stringify(p.problems)}`)
  }
  if (Object.keys(r.stderrTail).length) {
    L.push('')
    L.push('### Server stderr (last lines)')
    L.push('')
    for (const [n, lines] of Object.entries(r.stderrTail)) L.push(`- ${n} (${r.stderrLines[n]} lines): \`${lines.slice(-3).join(' | ').slice(0, 600)}\``)
  }
  L.push('')
  return L.join('\n')
}

/** The sections of issues 3-6. */
function reportLater(r) {
  const L = []
  const mi = r.micro
  const p = r.plan
  const nsRow = (row, ref) =>
    `| ${row.target}${row.truncated ? ' (time-bounded)' : ''} | ${row.requests} | ${row.errors} | ${fmt(row.rps, 0)} | ${row === ref ? '' : `${pct(row.rps / ref.rps)} / **${pct(row.pairedRatio)}**`} | ${fmt(row.latencyMs.p50, 3)} | ${fmt(row.latencyMs.p99, 3)} | ${row.proxyCpuUsPerReq}${row === ref ? '' : ` (${pct(row.pairedCpuRatio)})`} | ${row.perRound.map((x) => x.rps).join(' / ')} | ${row.perRound.map((x) => fmt(x.otherCpuPct, 0)).join(' / ')} |`
  const nsHead = [
    '| target | requests | errors | RPS (median of rounds) | vs 1 target: ratio of medians / **median of per-round ratios** | p50 ms | p99 ms | Switchyard CPU µs/req (per-round ratio) | RPS per round | other % per round |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ]
  const [one, rr3, limited] = r.variants.rows
  const us = (t) => `${fmt(t.medianUs, 2)} (${fmt(t.bestUs, 2)})`

  L.push('')
  L.push('### Issue 3 — routing')
  L.push('')
  L.push(`Routing decision per request, in-process (\`bench/micro.mjs\`: the TypeScript modules bundled with esbuild, run alone before the servers start; µs, median over ${mi.routing[0].order.batches} timed batches, best in brackets; other load on the machine meanwhile: ${mi.otherCpuPct} %).`)
  L.push('*balance* = `Balancer.order` with the Router\'s own StrategyContext; *whole decision* = `Router.plan`: resolve the route, drop the target whose breaker is open, conversation key (affinity), order, the request\'s plan.')
  L.push('State as a busy gateway has it: in-flight counts that change on every request, a TTFT estimate for every target but one, vLLM load reports, prices for 7 of 8 targets, one backup (weight 0), one target ejected. All cases are warmed up together first (the JIT sees every strategy, as with routes of several strategies).')
  L.push('')
  L.push('| strategy | 8 targets: balance µs | 8 targets: whole decision µs | 64 targets: balance µs | 64 targets: whole decision µs |')
  L.push('|---|---:|---:|---:|---:|')
  for (const s of [...new Set(mi.routing.map((x) => x.strategy))]) {
    const at = (n) => mi.routing.find((x) => x.strategy === s && x.targets === n)
    L.push(`| ${s === 'affinity' ? 'session affinity (consistent-hash ring)' : s} | ${us(at(8).order)} | ${us(at(8).plan)} | ${us(at(64).order)} | ${us(at(64).plan)} |`)
  }
  L.push('')
  L.push(`Throughput: a route with 3 round-robin targets (one mock process listening on 3 more ports, so 3 upstream pools) vs the same gateway serving 1 target; c=${p.variants.concurrency}, ${p.variants.rounds} interleaved rounds of ${p.variants.requests} requests, each after ${p.variants.warmup} of warm-up.`)
  L.push('')
  L.push(...nsHead)
  L.push(nsRow(one, one))
  L.push(nsRow(rr3, one))
  L.push('')
  const spread = r.variants.roundRobinSpread
  L.push(`Requests the 3 targets received (warm-up included): ${spread.join(' / ')}.`)

  L.push('')
  L.push('### Issue 4 — admission')
  L.push('')
  L.push('Per request, in-process: `Admission.tryAcquire` + `lease.settle` on one provider, 64 leases outstanding (as at c=64); µs, median (best).')
  L.push('')
  L.push('| provider limits | tryAcquire + settle µs | token estimate needed |')
  L.push('|---|---:|---|')
  for (const a of mi.admission) L.push(`| ${a.variant} | ${us(a.tryAcquireSettle)} | ${a.tokenEstimateNeeded ? 'yes (TPM)' : 'no'} |`)
  L.push('')
  L.push(`A TPM limit makes the pipeline count the prompt's tokens first (\`estimateRequestTokens\`, gpt-tokenizer o200k, the bench's ~150-character prompt): ${us(mi.tokenEstimate)} µs.`)
  L.push('')
  L.push(`End to end, a provider with limits no request reaches (rpm 100,000,000, tpm 10^12, maxConcurrent 100,000: sliding windows, token estimate and reconciliation all run) vs none, same rounds as above:`)
  L.push('')
  L.push(...nsHead)
  L.push(nsRow(one, one))
  L.push(nsRow(limited, one))
  L.push('')
  const full = r.variants.rows.find((row) => row.target === 'switchyard, everything on')
  const pass = r.variants.rows.find((row) => row.target === 'passthrough')
  if (full && pass) {
    L.push(`Issue 12, same rounds: everything on (two targets with rpm/tpm/maxConcurrent limits no request reaches and prices, the route's default strategy, the ledger on) and the bare passthrough. Per-round ratio to the passthrough: 1 target ${pct(one.pairedToPassthrough)}, everything on ${pct(full.pairedToPassthrough)}.`)
    L.push('')
    L.push(...nsHead)
    L.push(nsRow(full, one))
    L.push(nsRow(pass, one))
    L.push('')
  }
  if (r.agent) {
    const [agPass, ...agSy] = r.agent.rows
    L.push(`Requests the size a coding agent sends (${fmt(r.agent.bodyBytes / 1024, 0)} kB: 40 turns and 20 tool schemas), c=${p.agent.concurrency}, ${p.agent.rounds} interleaved rounds of ${p.agent.requests}. Switchyard parses the body; with more than one target it reads the prompt's shape (cache-aware routing), with a TPM limit it estimates its tokens; the passthrough reads none of it.`)
    L.push('')
    L.push('| target | RPS | p50 ms | p99 ms | proxy CPU µs/req | CPU added over the passthrough µs/req |')
    L.push('|---|---:|---:|---:|---:|---:|')
    for (const row of [agPass, ...agSy]) L.push(`| ${row.target} | ${fmt(row.rps, 0)} | ${fmt(row.latencyMs.p50, 3)} | ${fmt(row.latencyMs.p99, 3)} | ${row.proxyCpuUsPerReq} | ${row === agPass ? '' : fmt(row.proxyCpuUsPerReq - agPass.proxyCpuUsPerReq, 0)} |`)
    L.push('')
  }
  const QS = p.queueing
  L.push(`Limits that force queueing: maxConcurrent ${QS.limits.maxConcurrent}, queue ${QS.queue.maxSize} deep with a ${QS.queue.timeoutMs} ms timeout (reject-new), ${QS.requests} requests arriving open-loop at ${QS.arrivalPerSec}/s; times are the client's, send to last byte. A request unanswered after ${QS.hangAfterMs} ms would count as a hang. "left" = queued / in flight in the gateway's stats afterwards.`)
  L.push('')
  L.push('| upstream latency | served | 429 (timed out) | 503 (queue full) | other / hangs | 429 ms p50 / max | 503 ms p50 / max | served ms p50 / max | slowest 429/503 vs timeout | left | gateway /health p50 / max ms | load generator stall ms | other % | result |')
  L.push('|---|---:|---:|---:|---|---|---|---|---:|---|---|---:|---:|---|')
  for (const q of r.queueing) {
    L.push(
      `| ${q.upstreamLatencyMs} ms | ${q.served} | ${q.timedOut429} | ${q.overflow503} | ${q.otherOutcomes} / ${q.hangs} | ${fmt(q.ms429.p50, 0)} / ${fmt(q.ms429.max, 0)} | ${fmt(q.ms503.p50, 1)} / ${fmt(q.ms503.max, 1)} | ${fmt(q.ms200.p50, 0)} / ${fmt(q.ms200.max, 0)} | ${q.worstRejectOvershootMs >= 0 ? '+' : ''}${fmt(q.worstRejectOvershootMs, 0)} ms | ${q.gatewayAfter.queued} / ${q.gatewayAfter.inFlight} | ${fmt(q.gatewayHealthMs?.p50, 1)} / ${fmt(q.gatewayHealthMs?.max, 1)} | ${fmt(q.loadgenStallMs, 0)} | ${fmt(q.otherCpuPct, 0)} | **${q.pass ? 'PASS' : 'FAIL'}** |`,
    )
  }
  const noRA = r.queueing.reduce((n, q) => n + q.rejectedWithoutRetryAfter, 0)
  L.push('')
  L.push(`429/503 answers without Retry-After: ${noRA}. The /health probe (every ~10 ms on its own connection) and the load generator's own event-loop delay tell a gateway stall from a client-side one.`)

  L.push('')
  L.push('### Issue 5 — usage ledger')
  L.push('')
  const lg = r.ledger
  L.push(`Three modes side by side, interleaved in rotated order (${p.ledger.rounds} rounds per mode, ${p.ledger.requests} requests each after ${p.ledger.warmup} of warm-up), c=${lg.concurrency}: **off** and **worker** are the same gateway with \`usage.ledger\` switched through the admin API (worker: rows written by the ledger's worker thread, the default); **main** is a second gateway of the same build whose ledger writes on the event loop (\`SWITCHYARD_LEDGER_WRITER=main\`, as before the worker). Off, requests are still metered (/metrics) but no row is stored.`)
  L.push('')
  L.push('| ledger | requests | errors | RPS (median of rounds) | RPS per round | Switchyard CPU µs/req | p50 ms | p99 ms | other % |')
  L.push('|---|---:|---:|---:|---|---:|---:|---:|---:|')
  for (const [mode, m] of Object.entries(lg.modes)) {
    L.push(`| ${mode} | ${m.requests} | ${m.errors} | ${fmt(m.rps, 0)} | ${m.perRound.map((x) => x.rps).join(' / ')} | ${m.cpuUsPerReq} | ${fmt(m.latencyMs.p50, 3)} | ${fmt(m.latencyMs.p99, 3)} | ${fmt(m.otherCpuPct, 0)} |`)
  }
  L.push('')
  L.push(`Worker/off RPS ratio per round: ${lg.pairedRatios.map((x) => pct(x)).join(', ')} (median ${pct(lg.ratio)}); ratio of the medians ${pct(lg.ratioOfMedians)}; Switchyard CPU per request worker/off ${pct(lg.cpuRatio)}. In-process/off per round: ${lg.inProcess.pairedRatios.map((x) => pct(x)).join(', ')} (median ${pct(lg.inProcess.ratio)}); CPU ${pct(lg.inProcess.cpuRatio)}.`)
  L.push('')
  L.push(`Rows in the ledgers for these requests (counted back through \`/admin/api/usage\`): worker ${lg.rowsRecorded} for ${lg.sentWhileOn} sent while on, in-process ${lg.inProcess.rowsRecorded} for ${lg.inProcess.sentWhileOn} (warm-ups included); none expected while off.`)
  L.push('')
  const G = p.ledger.gap
  L.push(`Inter-chunk gaps of streams (${G.chunks} chunks ${G.delayMs} ms apart, ${G.streamConcurrency} at a time) while ${G.loadPerSec} non-stream requests/s (open loop, below saturation) fill the ledger's batches, ${G.rounds} interleaved rounds per mode. Gap = pause between two reads at the client; the mock sends every ${G.delayMs} ms.`)
  L.push('')
  L.push('| ledger | streams | errors | per-stream max gap p50 / p90 / p99 / max ms | all reads: gap p99 ms | non-stream load served/s | other % |')
  L.push('|---|---:|---:|---|---:|---|---|')
  for (const [mode, g] of Object.entries(lg.gaps)) {
    const x = g.streamMaxGapMs
    L.push(`| ${mode} | ${g.streams} | ${g.errors} | ${fmt(x.p50, 2)} / ${fmt(x.p90, 2)} / ${fmt(x.p99, 2)} / ${fmt(x.max, 2)} | ${fmt(g.readGapMs.p99, 2)} | ${g.loadRps.join(' / ')} | ${g.otherCpuPct.join(' / ')} |`)
  }
  L.push('')
  L.push(
    `Inter-chunk delay added with the ledger on, written by the worker (per-stream max gap, on minus off): p50 ${signed(lg.addedP50GapMs)} ms, p90 ${signed(lg.addedP90GapMs)} ms, p99 ${signed(lg.addedP99GapMs)} ms, worst stream ${signed(lg.addedMaxGapMs)} ms; all reads p99 ${signed(lg.addedReadP99GapMs)} ms. Written in-process: p99 ${signed(lg.inProcess.addedP99GapMs)} ms, worst stream ${signed(lg.inProcess.addedMaxGapMs)} ms, all reads p99 ${signed(lg.inProcess.addedReadP99GapMs)} ms. ` +
      'The worst gaps of any mode also hold stalls that have nothing to do with the ledger (major GC of a large heap, timers, other tenants), so a negative figure means the effect is below that noise.',
  )
  L.push('')
  const ml = mi.ledger
  L.push(
    `The direct measure, in-process (bench/micro.mjs): one flush of a full batch (500 operations: 250 requests' in-flight and final rows) written on the event loop holds it ${fmt(ml.medianMs, 2)} ms at the median and ${fmt(ml.maxMs, 2)} ms at worst of ${ml.flushes} (${ml.perRequestUs} µs per request).` +
      (ml.autoCheckpoint ? ` Every ~${ml.autoCheckpoint.requestsPerCheckpoint} requests the WAL reaches ${ml.autoCheckpoint.walPages} pages and SQLite checkpoints it inside that flush: ${fmt(ml.autoCheckpoint.checkpointMs, 1)} ms more on the event loop.` : '') +
      (ml.worker ? ` With the worker thread the event loop's whole share of the same batch (packing the 500 operations and handing them over in one message, all in one turn: the worst case) is ${fmt(ml.worker.handOverMedianMs, 3)} ms at the median and ${fmt(ml.worker.handOverMaxMs, 3)} ms at worst; the write itself (${fmt(ml.worker.writeMedianMs, 2)} ms at the median in the worker) and the checkpoints happen on the worker's thread.` : ''),
  )
  if (ml.loopDelay) {
    L.push('')
    L.push(`Event-loop delay of the thread that records (bench/micro.mjs, ${ml.loopDelay.requestsPerSec} requests/s recorded for ${ml.loopDelay.seconds} s per round, ${ml.loopDelay.rounds} rounds per mode in rotated order; \`monitorEventLoopDelay\` at 1 ms resolution, median of the rounds):`)
    L.push('')
    L.push('| ledger | delay p50 ms | p99 ms | max ms |')
    L.push('|---|---:|---:|---:|')
    for (const [mode, d] of Object.entries(ml.loopDelay.modes)) L.push(`| ${mode} | ${fmt(d.p50Ms, 2)} | ${fmt(d.p99Ms, 2)} | ${fmt(d.maxMs, 2)} |`)
  }
  if (mi.tokenizerLoad) {
    L.push('')
    const t = mi.tokenizerLoad
    L.push(`First tokenizer load (o200k), each in a fresh process, ${t.runs} runs per mode: the longest the event loop was held meanwhile — in-process ${fmt(t.inProcess.maxStallMs.median, 0)} ms median (${fmt(t.inProcess.maxStallMs.max, 0)} ms worst; load ${fmt(t.inProcess.loadMs.median, 0)} ms), in the tokenizer's worker thread ${fmt(t.worker.maxStallMs.median, 1)} ms median (${fmt(t.worker.maxStallMs.max, 1)} ms worst; load ${fmt(t.worker.loadMs.median, 0)} ms).`)
  }
  L.push('')
  L.push('### Issue 6 — protocol bridge')
  L.push('')
  L.push(`Streams through Switchyard at c=${p.translation.concurrency}, every way (OpenAI chat and Anthropic clients both ways; Responses and Gemini clients translated to OpenAI chat), against the same mock process (OpenAI chat chunks on /v1/chat/completions, Anthropic events on /v1/messages), stream shape set by the provider's x-mock-* headers. Rounds interleaved in rotated order. CPU is Switchyard's, per stream.`)
  for (const m of p.translation.modes) {
    const rows = r.translation.filter((x) => x.mode === m.name)
    const ref = rows.find((x) => x.variant === 'openai-passthrough')
    L.push('')
    L.push(`${m.chunks} chunks ${m.name} (${m.rounds} rounds of ${m.streams} streams per way):`)
    L.push('')
    L.push('| client → upstream | streams | errors | streams/s | vs OpenAI passthrough | TTFC p50 / p99 ms | total p50 ms | per-stream max gap p50 / p99 ms | read gap p50 / p99 / mean ms | Switchyard CPU µs/stream | other % |')
    L.push('|---|---:|---:|---:|---:|---|---:|---|---|---:|---:|')
    for (const x of rows) {
      const g = x.readGapMs
      L.push(
        `| ${x.name} | ${x.streams} | ${x.errors} | ${fmt(x.streamsPerSec, 0)} | ${x === ref ? '' : pct(x.streamsPerSec / ref.streamsPerSec)} | ${fmt(x.ttfcMs.p50, 2)} / ${fmt(x.ttfcMs.p99, 2)} | ${fmt(x.totalMs.p50, 2)} | ${fmt(x.streamMaxGapMs.p50, 2)} / ${fmt(x.streamMaxGapMs.p99, 2)} | ${g ? `${fmt(g.p50, 2)} / ${fmt(g.p99, 2)} / ${fmt(g.mean, 2)}` : '-'} | ${x.cpuUsPerStream} | ${fmt(x.otherCpuPct, 0)} |`,
      )
    }
    if (m.delayMs > 0) {
      const by = (k) => rows.find((x) => x.variant === k)
      const added = (t, base) => `p99 read gap ${signed(t.readGapMs.p99 - base.readGapMs.p99)} ms, mean ${signed(t.readGapMs.mean - base.readGapMs.mean)} ms, per-stream max gap p99 ${signed(t.streamMaxGapMs.p99 - base.streamMaxGapMs.p99)} ms`
      L.push('')
      L.push(
        `Added inter-chunk delay of translation: Anthropic client → OpenAI upstream vs OpenAI passthrough: ${added(by('anthropic-to-openai'), by('openai-passthrough'))}; OpenAI client → Anthropic upstream vs Anthropic passthrough: ${added(by('openai-to-anthropic'), by('anthropic-passthrough'))}; Responses client → OpenAI upstream vs OpenAI passthrough: ${added(by('responses-to-openai'), by('openai-passthrough'))}; Gemini client → OpenAI upstream vs OpenAI passthrough: ${added(by('gemini-to-openai'), by('openai-passthrough'))}.`,
      )
    }
  }
  return L
}

function signed(x) {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(2)}` : '-'
}

/** Share of the machine's cores that were busy during a phase (steal shown when present). */
function busy(row) {
  const c = row.cpuMs
  const all = c.machineBusy + c.machineIdle + c.machineSteal
  if (!(all > 0)) return '-'
  const steal = c.machineSteal / all
  return `${fmt((c.machineBusy / all) * 100, 0)}${steal >= 0.01 ? ` (+${fmt(steal * 100, 0)} steal)` : ''}`
}

function round(x, d) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x
  const f = 10 ** d
  return Math.round(x * f) / f
}
function roundAll(obj) {
  const out = {}
  for (const [k, v] of Object.entries(obj)) out[k] = round(v, 4)
  return out
}
function fmt(x, d) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-'
}
function pct(x) {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '-'
}
function mb(kb) {
  return typeof kb === 'number' ? `${(kb / 1024).toFixed(1)} MB` : '-'
}
function log(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}
/** Hard RLIMIT_NOFILE (Node raises its soft limit to it at start-up; children inherit it). */
function openFilesLimit() {
  try {
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))
    return m ? (m[2] === 'unlimited' ? Infinity : Number(m[2])) : undefined
  } catch {
    return undefined
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

process.on('SIGINT', () => {
  void stopChildren().finally(() => process.exit(130))
})

main().then(
  async () => {
    sampler.postMessage({ type: 'stop' })
    await sampler.terminate()
    process.exit(0)
  },
  async (err) => {
    process.stderr.write(`\nbench: harness error: ${err instanceof HarnessError ? err.message : err?.stack ?? err}\n`)
    await stopChildren().catch(() => undefined)
    await sampler.terminate().catch(() => undefined)
    process.exit(1)
  },
)
