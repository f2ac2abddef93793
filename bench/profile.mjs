// CPU-profiles the passthrough and Switchyard under one load shape, to see where the time goes.
//
//   node bench/profile.mjs [--concurrency 64] [--requests 30000] [--stream] [--top 25] [--focus REGEX]
//                          [--variant limits|rr3|ledger-off|anthropic]
//
// Starts the mock upstream, the passthrough and Switchyard (both with --cpu-prof), sends the
// same load to each in turn (non-stream by default, `--stream`: 20-chunk streams sent at once),
// stops them (profiles are written on exit) and prints bench/profile-top.mjs for both.
// Profiles: bench/results/profiles/profile-{passthrough,switchyard}.cpuprofile.
//
// `--variant` adds a second Switchyard process, profiled the same way under the same load, in
// the configuration the bench's later sections compare against the plain one:
//   limits      the provider has generous rpm/tpm/maxConcurrent limits (issue 4)
//   rr3         a 3-target round-robin route, the mock listening on 3 more ports (issue 3)
//   ledger-off  usage.ledger false (issue 5): compare with the plain process, whose ledger is on
//   full        issue 12's "everything on": two targets (the route's default strategy), each
//               with generous rpm/tpm/maxConcurrent limits and prices; the ledger on
//   anthropic   Anthropic clients streaming /v1/messages, translated to the OpenAI mock (issue 6;
//               implies --stream, and the plain process gets the OpenAI passthrough streams)
// Each process's CPU per request (utime+stime from /proc) is printed with its RPS.
import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { closedLoop } from './closedLoop.mjs'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const DIR = path.join(ROOT, 'bench/results/profiles')
const { values: a } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    requests: { type: 'string', default: '30000' },
    stream: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    focus: { type: 'string' },
    variant: { type: 'string' },
  },
})
const VARIANTS = ['limits', 'rr3', 'ledger-off', 'anthropic', 'full']
if (a.variant !== undefined && !VARIANTS.includes(a.variant)) {
  process.stderr.write(`--variant must be one of ${VARIANTS.join(', ')}\n`)
  process.exit(2)
}
if (a.variant === 'anthropic') a.stream = true
const C = Number(a.concurrency)
const N = Number(a.requests)
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
const cpuMs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ')
  return ((Number(x[11]) + Number(x[12])) * 1000) / CLK
}
fs.mkdirSync(DIR, { recursive: true })

const kids = []
function start(name, args, flags = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    kids.push(proc)
    const t = setTimeout(() => reject(new Error(`${name} did not start`)), 20_000)
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /^listening on (http:\/\/\S+)/.exec(l)
      if (m) {
        clearTimeout(t)
        resolve({ proc, url: m[1], line: l })
      }
    })
    proc.on('exit', (code) => reject(new Error(`${name} exited ${code}`)))
  })
}
const prof = (name) => ['--cpu-prof', `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=profile-${name}.cpuprofile`]

const body = Buffer.from(
  JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Write one sentence about foxes.' }], max_tokens: 64, ...(a.stream ? { stream: true, stream_options: { include_usage: true }, mock_chunks: 20, mock_delay_ms: 0 } : {}) }),
)
const OPENAI = { path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }
const ANTHROPIC = {
  path: '/v1/messages',
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  body: Buffer.from(JSON.stringify({ model: 'bench-model', max_tokens: 64, messages: [{ role: 'user', content: 'Write one sentence about foxes.' }], stream: true })),
}
async function load(origin, total, req = OPENAI) {
  const r = await closedLoop(origin, { connections: C, count: total, request: req })
  return { rps: r.n / (r.ms / 1000), errors: r.errors }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-prof-'))
let profiled = []
try {
  const mock = await start('mock', ['bench/mock-upstream.mjs', '--extra-ports', '3'])
  const extra = (/\(also: ([^)]+)\)/.exec(mock.line)?.[1] ?? '').split(' ')
  const pass = await start('passthrough', ['bench/passthrough.mjs', '--upstream', mock.url], prof('passthrough'))
  const plain = { version: 1, server: { host: '127.0.0.1', port: 0 }, providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: ['bench-model'] }], routes: [{ model: 'bench-model', targets: [{ provider: 'mock' }] }] }
  const variantConfig = {
    limits: { ...plain, providers: [{ ...plain.providers[0], limits: { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 } }] },
    rr3: {
      ...plain,
      providers: extra.map((u, i) => ({ id: `rr-${i}`, kind: 'vllm', baseUrl: `${u}/v1` })),
      routes: [{ model: 'bench-model', strategy: 'round-robin', targets: extra.map((_, i) => ({ provider: `rr-${i}` })) }],
    },
    'ledger-off': { ...plain, usage: { ledger: false } },
    full: {
      ...plain,
      providers: ['full-a', 'full-b'].map((id) => ({ id, kind: 'vllm', baseUrl: `${mock.url}/v1`, limits: { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 }, pricing: { 'bench-model': { inputPerMTok: 0.5, outputPerMTok: 1.5 } } })),
      routes: [{ model: 'bench-model', targets: [{ provider: 'full-a' }, { provider: 'full-b' }] }],
    },
    anthropic: { ...plain, providers: [{ ...plain.providers[0], headers: { 'x-mock-chunks': '20', 'x-mock-delay-ms': '0' } }] },
  }
  const gateway = async (name, config) => {
    const file = path.join(tmp, `${name}.json`)
    fs.writeFileSync(file, JSON.stringify(config))
    return start(name, ['bin/switchyard.js', 'serve', '--config', file, '--data-dir', path.join(tmp, name), '--port', '0', '--admin-token', randomBytes(8).toString('hex'), '--log-level', 'warn'], prof(name))
  }
  const targets = [
    ['passthrough', pass, OPENAI],
    ['switchyard', await gateway('switchyard', plain), OPENAI],
  ]
  if (a.variant) targets.push([`switchyard-${a.variant}`, await gateway(`switchyard-${a.variant}`, variantConfig[a.variant]), a.variant === 'anthropic' ? ANTHROPIC : OPENAI])
  for (const [name, t, req] of targets) {
    await load(t.url, Math.min(N, 3000), req) // warm-up
    const c0 = cpuMs(t.proc.pid)
    const r = await load(t.url, N, req)
    const us = ((cpuMs(t.proc.pid) - c0) * 1000) / N
    console.log(`${name}: ${r.rps.toFixed(0)} rps, ${us.toFixed(0)} µs CPU per ${a.stream ? 'stream' : 'request'}, ${r.errors} errors (c=${C}, ${N} ${a.stream ? 'streams' : 'requests'}, profiled)`)
  }
  profiled = targets.map(([name]) => name)
} finally {
  await Promise.all(kids.map((p) => new Promise((r) => (p.exitCode !== null ? r() : (p.once('exit', r), p.kill('SIGTERM'))))))
  fs.rmSync(tmp, { recursive: true, force: true })
}
for (const name of profiled) {
  const file = path.join(DIR, `profile-${name}.cpuprofile`)
  const extra = a.focus ? ['--focus', a.focus] : []
  process.stdout.write(execFileSync(process.execPath, [path.join(ROOT, 'bench/profile-top.mjs'), file, '--top', a.top, ...extra], { encoding: 'utf8' }))
}
