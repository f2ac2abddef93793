// Team mode's cost: Switchyard with provider limits decided in-process (embedded state) against
// the same config with `state.redis` (every admission one Lua round trip to a local redis-server,
// every release one more, off the request path), in the same run, on the same mock upstream.
//
//   npm run bench:team            (builds first)     node bench/team.mjs [--rounds 3] [--requests 4000]
//
// Interleaved rounds (rotated order): non-stream c=64 (RPS, proxy CPU µs/request) and c=1 (p50
// latency). The limits are generous (never reached): what is measured is the admission path.
// Needs `redis-server` (Debian package) on PATH; the script starts its own on a free port.
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { closedLoop } from './closedLoop.mjs'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, requests: { type: 'string', default: '4000' }, single: { type: 'string', default: '1000' } } })
const ROUNDS = Number(a.rounds)
const N64 = Number(a.requests)
const N1 = Number(a.single)
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
const cpuMs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ')
  return ((Number(x[11]) + Number(x[12])) * 1000) / CLK
}

const kids = []
function start(args, cmd = process.execPath) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    kids.push(proc)
    readline.createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /^listening on (http:\/\/\S+)/.exec(l)
      if (m) resolve({ pid: proc.pid, url: m[1] })
    })
    proc.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)))
  })
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function startRedis() {
  const port = await freePort()
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' })
  kids.push(proc)
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(() => resolve(true)))
      s.on('error', () => resolve(false))
    })
    if (ok) return { pid: proc.pid, url: `redis://127.0.0.1:${port}` }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('redis-server did not start')
}

const body = Buffer.from(JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Write one sentence about foxes and dogs.' }], max_tokens: 64 }))

function loop(url, c, n) {
  return closedLoop(url, { connections: c, count: n, request: { path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body } })
}
const med = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-team-bench-'))
try {
  if (!fs.existsSync(path.join(ROOT, 'out/main/cli.js'))) throw new Error('run `npm run build` first (or `npm run bench:team`)')
  const redis = await startRedis()
  const mock = await start(['bench/mock-upstream.mjs'])
  const limits = { rpm: 100_000_000, tpm: 1_000_000_000_000, maxConcurrent: 100_000 }
  const base = { version: 1, server: { host: '127.0.0.1', port: 0 }, providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: ['bench-model'], limits }] }
  const sy = (name, config) => {
    const cfg = path.join(tmp, `${name}.json`)
    fs.writeFileSync(cfg, JSON.stringify(config))
    return start([path.join(ROOT, 'out/main/cli.js'), 'serve', '--config', cfg, '--data-dir', path.join(tmp, name), '--port', '0', '--admin-token', 'bench', '--log-level', 'warn'])
  }
  const targets = [
    { name: 'embedded state (limits in-process)', ...(await sy('embedded', base)) },
    { name: 'Redis state (limits through Redis)', ...(await sy('redis', { ...base, state: { redis: redis.url } })) },
  ]
  const res = new Map(targets.map((t) => [t.name, { rps: [], us: [], p50: [], p99: [], errors: 0 }]))
  for (const t of targets) await loop(t.url, 64, 2000) // warm-up (JIT, pools, script cache)
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(i + r) % targets.length]
      const x = res.get(t.name)
      const c0 = cpuMs(t.pid)
      const l = await loop(t.url, 64, N64)
      x.us.push(((cpuMs(t.pid) - c0) * 1000) / l.n)
      x.rps.push(l.n / (l.ms / 1000))
      const one = await loop(t.url, 1, N1)
      x.p50.push(med(one.lat))
      const sorted = [...one.lat].sort((p, q) => p - q)
      x.p99.push(sorted[Math.floor(sorted.length * 0.99)])
      x.errors += l.errors + one.errors
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`)
  }
  const redisCpu = cpuMs(redis.pid)
  console.log(`\nmedians over ${ROUNDS} rounds (c=64: ${N64} requests/round; c=1: ${N1} requests/round), ${os.cpus().length} cores shared by all processes\n`)
  console.log('| target | c=64 RPS | c=64 gateway CPU µs/req | c=1 p50 ms | c=1 p99 ms | errors |')
  console.log('|---|---:|---:|---:|---:|---:|')
  const rows = [...res]
  for (const [name, x] of rows) console.log(`| ${name} | ${med(x.rps).toFixed(0)} | ${med(x.us).toFixed(1)} | ${med(x.p50).toFixed(3)} | ${med(x.p99).toFixed(3)} | ${x.errors} |`)
  const [e, r] = rows.map(([, x]) => x)
  console.log(`\nadded by Redis admission: p50 at c=1 ${(med(r.p50) - med(e.p50)).toFixed(3)} ms; throughput at c=64 ${(((med(r.rps) - med(e.rps)) / med(e.rps)) * 100).toFixed(1)} %; redis-server CPU over the run ${redisCpu.toFixed(0)} ms`)
} finally {
  for (const k of kids) k.kill('SIGTERM')
  fs.rmSync(tmp, { recursive: true, force: true })
}
