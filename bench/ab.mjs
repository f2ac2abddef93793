// A/B of two Switchyard builds (before/after a hot-path change), with the passthrough as control.
//
//   cp -r out bench/results/ab-base        # snapshot the "before" build
//   ... change src/main/gateway, npx electron-vite build ...
//   node bench/ab.mjs [--base bench/results/ab-base] [--rounds 5]
//
// Interleaved rounds (rotated order) of: non-stream c=64 (RPS, proxy CPU µs/request from
// /proc/<pid>/stat), non-stream c=1 (p50 latency) and 20-chunk streams at c=1 (TTFC p50).
// Prints medians over rounds. Noise from other tenants hits all three targets alike.
//
//   node bench/ab.mjs --variant ledger-off|limits [--rounds 5]
//
// compares two configurations of the current build instead: "base" is the plain config (one
// vllm provider, ledger on, no limits), "candidate" the same with usage.ledger false, or with
// generous rpm/tpm/maxConcurrent limits on the provider.
//
// `--floor` adds bench/floorProxy.mjs to the rounds: the leanest proxy Node can be (net sockets and
// llhttp, nothing else), so that what node:http + undici cost shows beside what Switchyard costs.
// It buffers whole answers: its stream TTFC is its time to the last chunk, not comparable.
import { spawn, execFileSync } from 'node:child_process'
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
    base: { type: 'string', default: path.join(ROOT, 'bench/results/ab-base') },
    rounds: { type: 'string', default: '5' },
    floor: { type: 'boolean', default: false },
    requests: { type: 'string', default: '8000' },
    variant: { type: 'string' },
  },
})
if (a.variant !== undefined && !['ledger-off', 'limits'].includes(a.variant)) {
  process.stderr.write('--variant must be ledger-off or limits\n')
  process.exit(2)
}
const ROUNDS = Number(a.rounds)
const N64 = Number(a.requests)
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
const cpuMs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ')
  return ((Number(x[11]) + Number(x[12])) * 1000) / CLK
}

const kids = []
function start(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    kids.push(proc)
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /^listening on (http:\/\/\S+)/.exec(l)
      if (m) resolve({ pid: proc.pid, url: m[1] })
    })
    proc.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)))
  })
}

const msgs = [{ role: 'user', content: 'Write one sentence about foxes and dogs, then one about clocks.' }]
const nsBody = Buffer.from(JSON.stringify({ model: 'bench-model', messages: msgs, max_tokens: 64 }))
const stBody = Buffer.from(JSON.stringify({ model: 'bench-model', messages: msgs, stream: true, stream_options: { include_usage: true }, mock_chunks: 20, mock_delay_ms: 0 }))

function loop(url, c, n, body) {
  return closedLoop(url, { connections: c, count: n, request: { path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }, deadlineMs: 30_000 })
}
const med = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ab-'))
try {
  const mock = await start(['bench/mock-upstream.mjs'])
  const plain = { version: 1, server: { host: '127.0.0.1', port: 0 }, providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: ['bench-model'] }], routes: [{ model: 'bench-model', targets: [{ provider: 'mock' }] }] }
  const variant = {
    'ledger-off': { ...plain, usage: { ledger: false } },
    limits: { ...plain, providers: [{ ...plain.providers[0], limits: { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 } }] },
  }[a.variant]
  const sy = (cli, name, config = plain) => {
    const cfg = path.join(tmp, `${name}.json`)
    fs.writeFileSync(cfg, JSON.stringify(config))
    return start([cli, 'serve', '--config', cfg, '--data-dir', path.join(tmp, name), '--port', '0', '--admin-token', 'ab', '--log-level', 'warn'])
  }
  const current = path.join(ROOT, 'out/main/cli.js')
  const targets = [
    // --floor: the leanest proxy Node can be (bench/floorProxy.mjs), for what node:http + undici cost.
    ...(a.floor ? [{ name: 'floor (net + llhttp)', ...(await start(['bench/floorProxy.mjs', mock.url])) }] : []),
    { name: 'passthrough', ...(await start(['bench/passthrough.mjs', '--upstream', mock.url])) },
    { name: variant ? 'base (plain config)' : 'base', ...(await sy(variant ? current : path.join(path.resolve(a.base), 'main/cli.js'), 'base')) },
    { name: variant ? `candidate (${a.variant})` : 'candidate', ...(await sy(current, 'cand', variant ?? plain)) },
  ]
  const res = new Map(targets.map((t) => [t.name, { rps: [], us: [], p50c1: [], ttfc: [], errors: 0 }]))
  for (const t of targets) {
    await loop(t.url, 64, 3000, nsBody)
    await loop(t.url, 1, 300, stBody)
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(i + r) % targets.length]
      const x = res.get(t.name)
      const c0 = cpuMs(t.pid)
      const l = await loop(t.url, 64, N64, nsBody)
      x.us.push(((cpuMs(t.pid) - c0) * 1000) / l.n)
      x.rps.push(l.n / (l.ms / 1000))
      const one = await loop(t.url, 1, 1000, nsBody)
      x.p50c1.push(med(one.lat))
      const st = await loop(t.url, 1, 300, stBody)
      x.ttfc.push(med(st.ttfc))
      x.errors += l.errors + one.errors + st.errors
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`)
  }
  console.log(`\nmedians over ${ROUNDS} rounds (c=64: ${N64} requests/round; c=1: 1000 requests and 300 streams/round)\n`)
  // Interference from other tenants only ever adds time: the best round is the least disturbed.
  console.log('| target | c=64 RPS median (best) | c=64 proxy CPU µs/req median (best) | c=1 p50 ms median (best) | stream TTFC p50 ms median (best) | errors |')
  console.log('|---|---:|---:|---:|---:|---:|')
  const best = (xs, hi) => (hi ? Math.max(...xs) : Math.min(...xs))
  for (const [name, x] of res) {
    console.log(`| ${name} | ${med(x.rps).toFixed(0)} (${best(x.rps, true).toFixed(0)}) | ${med(x.us).toFixed(1)} (${best(x.us).toFixed(1)}) | ${med(x.p50c1).toFixed(3)} (${best(x.p50c1).toFixed(3)}) | ${med(x.ttfc).toFixed(3)} (${best(x.ttfc).toFixed(3)}) | ${x.errors} |`)
  }
  console.log(`\nper round: ${JSON.stringify(Object.fromEntries([...res].map(([n, x]) => [n, { rps: x.rps.map(Math.round), us: x.us.map((v) => Math.round(v)) }])))}`)
} finally {
  for (const k of kids) k.kill('SIGTERM')
  fs.rmSync(tmp, { recursive: true, force: true })
}
