// Bytes allocated per request: Switchyard vs the bare passthrough, non-streaming and streaming.
//
//   node bench/alloc.mjs [--requests 2000] [--concurrency 8] [--warmup 1000] [--top 15] [--runs 1]
//                        [--switchyard-cli PATH] [--json FILE] [--node-flags FLAGS]
//
// Starts the mock upstream, the passthrough and Switchyard (default config, ledger on) as child
// processes, the two proxies with bench/alloc-agent.mjs, which runs V8's sampling heap profiler
// inside them (every allocation counts, including objects the minor and major GCs collected).
// Per proxy and per shape: a warm-up, then sampling over N requests, so the profile's total / N
// is the JS heap allocated per request on the proxy's main thread. Sampling is by bytes, not by
// time, so a busy machine does not move the figures (the sampling itself adds a ~1 % spread,
// and timing still decides how many reads a stream takes). Not counted: worker threads (the
// ledger writer, the tokenizer) and Buffer backing stores outside the JS heap.
//
// Prints per request: total bytes, by area (Switchyard's code, undici, node internals, ...), the
// top functions by self allocation, and Switchyard's own functions by the bytes allocated under
// them (the innermost Switchyard frame of each sample: what its code caused, wherever the bytes
// were allocated). With `--runs K` everything is measured K times and the spread is printed.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { closedLoop } from './closedLoop.mjs'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const { values: a } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '1000' },
    top: { type: 'string', default: '15' },
    runs: { type: 'string', default: '1' },
    'switchyard-cli': { type: 'string' },
    json: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
  },
})
const N = Number(a.requests)
const C = Number(a.concurrency)
const W = Number(a.warmup)
const TOP = Number(a.top)
const RUNS = Number(a.runs)

const kids = []
function start(name, args, flags = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    kids.push(proc)
    const t = setTimeout(() => reject(new Error(`${name} did not start`)), 20_000)
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /^listening on (http:\/\/\S+)/.exec(l)
      if (m) {
        clearTimeout(t)
        resolve({ name, proc, url: m[1] })
      }
    })
    proc.on('exit', (code) => reject(new Error(`${name} exited ${code}`)))
  })
}
// `--node-flags '--no-turbo-inlining'` (diagnosis only) charges inlined functions' bytes to themselves.
const agent = [...a['node-flags'].split(' ').filter(Boolean), '--import', path.join(ROOT, 'bench/alloc-agent.mjs')]
const command = (proc, msg) =>
  new Promise((resolve, reject) => {
    proc.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)))
    proc.send(msg)
  })

const chat = (stream) =>
  Buffer.from(
    JSON.stringify({
      model: 'bench-model',
      messages: [{ role: 'user', content: 'Write one sentence about foxes.' }],
      max_tokens: 64,
      ...(stream ? { stream: true, stream_options: { include_usage: true }, mock_chunks: 20, mock_delay_ms: 0 } : {}),
    }),
  )
const SHAPES = { 'non-stream': chat(false), stream: chat(true) }

function load(origin, total, body) {
  return closedLoop(origin, { connections: C, count: total, request: { path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }, deadlineMs: Infinity })
}

// The proxies' own code: the Switchyard build under test (its cli.js's folder), or the passthrough script.
const BUILD_DIR = path.dirname(path.resolve(a['switchyard-cli'] ?? path.join(ROOT, 'out/main/cli.js')))
const OWN_CODE = { test: (url) => url.includes(`${BUILD_DIR}/`) || url.endsWith('/bench/passthrough.mjs') }
function area(url) {
  if (!url) return '(VM / native)'
  if (OWN_CODE.test(url)) return 'the proxy itself'
  if (url.includes('undici')) return 'undici'
  if (url.startsWith('node:')) return 'node internals'
  if (url.includes('node_modules')) return 'other packages'
  return 'other'
}
const fname = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url ? path.basename(cf.url) : ''}:${cf.lineNumber + 1}`

/** Per-request bytes: total, by area of the allocating function, by function, by innermost Switchyard frame. */
function summarize(profile, n) {
  const byArea = new Map()
  const bySelf = new Map()
  const byOwn = new Map()
  let total = 0
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v)
  const walk = (node, own) => {
    const cf = node.callFrame
    const mine = OWN_CODE.test(cf.url) ? fname(cf) : own
    if (node.selfSize > 0) {
      total += node.selfSize
      add(byArea, area(cf.url), node.selfSize)
      add(bySelf, fname(cf), node.selfSize)
      add(byOwn, mine ?? '(no frame of the proxy)', node.selfSize)
    }
    for (const c of node.children) walk(c, mine)
  }
  walk(profile.head, undefined)
  const per = (m) => Object.fromEntries([...m].sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, v / n]))
  return { perRequest: total / n, byArea: per(byArea), bySelf: per(bySelf), byOwn: per(byOwn) }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-alloc-'))
const results = [] // [{run, target, shape, summary}]
try {
  const mock = await start('mock', ['bench/mock-upstream.mjs'])
  const pass = await start('passthrough', ['bench/passthrough.mjs', '--upstream', mock.url], agent)
  const config = { version: 1, server: { host: '127.0.0.1', port: 0 }, providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: ['bench-model'] }], routes: [{ model: 'bench-model', targets: [{ provider: 'mock' }] }] }
  const file = path.join(tmp, 'config.json')
  fs.writeFileSync(file, JSON.stringify(config))
  const cli = a['switchyard-cli'] ? [path.resolve(a['switchyard-cli'])] : ['bin/switchyard.js']
  const sy = await start('switchyard', [...cli, 'serve', '--config', file, '--data-dir', path.join(tmp, 'data'), '--port', '0', '--admin-token', randomBytes(8).toString('hex'), '--log-level', 'warn'], agent)
  for (const t of [pass, sy]) for (const body of Object.values(SHAPES)) await load(t.url, W, body) // warm-up: JIT, pools, tokenizer
  for (let run = 1; run <= RUNS; run++) {
    for (const t of [pass, sy]) {
      for (const [shape, body] of Object.entries(SHAPES)) {
        await load(t.url, Math.min(W, 200), body)
        await command(t.proc, { cmd: 'start' })
        const r = await load(t.url, N, body)
        const out = path.join(tmp, `${t.name}-${shape}-${run}.heapprofile`)
        await command(t.proc, { cmd: 'stop', file: out })
        if (r.errors > 0) throw new Error(`${t.name} ${shape}: ${r.errors} errors`)
        const summary = summarize(JSON.parse(fs.readFileSync(out, 'utf8')), N)
        results.push({ run, target: t.name, shape, summary })
        console.error(`run ${run} ${t.name} ${shape}: ${(summary.perRequest / 1024).toFixed(1)} KiB/request`)
      }
    }
  }
} finally {
  await Promise.all(kids.map((p) => new Promise((r) => (p.exitCode !== null ? r() : (p.once('exit', r), p.kill('SIGTERM'))))))
  fs.rmSync(tmp, { recursive: true, force: true })
}

const kib = (b) => (b / 1024).toFixed(2)
const out = []
out.push(`# Bytes allocated per request (JS heap, main thread; N=${N}, c=${C}, ${RUNS} run(s))`, '')
out.push('| proxy | shape | KiB/request (median) | spread (min-max) |', '|---|---|---|---|')
for (const target of ['passthrough', 'switchyard']) {
  for (const shape of Object.keys(SHAPES)) {
    const v = results.filter((r) => r.target === target && r.shape === shape).map((r) => r.summary.perRequest).sort((x, y) => x - y)
    const med = v[Math.floor(v.length / 2)]
    out.push(`| ${target} | ${shape} | ${kib(med)} | ${kib(v[0])}-${kib(v.at(-1))} (${(((v.at(-1) - v[0]) / med) * 100).toFixed(1)} %) |`)
  }
}
const last = (target, shape) => results.filter((r) => r.target === target && r.shape === shape).at(-1).summary
const table = (title, m) => {
  out.push('', `${title}`, '', '| bytes/request | |', '|---:|---|')
  for (const [k, v] of Object.entries(m).slice(0, TOP)) out.push(`| ${v.toFixed(0)} | ${k} |`)
}
for (const shape of Object.keys(SHAPES)) {
  out.push('', `## ${shape}`)
  table('passthrough, by area', last('passthrough', shape).byArea)
  table('switchyard, by area', last('switchyard', shape).byArea)
  table('switchyard, top functions (self)', last('switchyard', shape).bySelf)
  table("switchyard, by innermost Switchyard frame (what its code caused)", last('switchyard', shape).byOwn)
  table('passthrough, by innermost frame of passthrough.mjs', last('passthrough', shape).byOwn)
}
console.log(out.join('\n'))
if (a.json) fs.writeFileSync(a.json, JSON.stringify(results, null, 1))
