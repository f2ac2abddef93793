// CPU-profiles the passthrough and Switchyard under one load shape, to see where the time goes.
//
//   node bench/profile.mjs [--concurrency 64] [--requests 30000] [--stream] [--top 25] [--focus REGEX]
//
// Starts the mock upstream, the passthrough and Switchyard (both with --cpu-prof), sends the
// same load to each in turn (non-stream by default, `--stream`: 20-chunk streams sent at once),
// stops them (profiles are written on exit) and prints bench/profile-top.mjs for both.
// Profiles: bench/results/profiles/profile-{passthrough,switchyard}.cpuprofile.
import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const DIR = path.join(ROOT, 'bench/results/profiles')
const { values: a } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    requests: { type: 'string', default: '30000' },
    stream: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    focus: { type: 'string' },
  },
})
const C = Number(a.concurrency)
const N = Number(a.requests)
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
        resolve({ proc, url: m[1] })
      }
    })
    proc.on('exit', (code) => reject(new Error(`${name} exited ${code}`)))
  })
}
const prof = (name) => ['--cpu-prof', `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=profile-${name}.cpuprofile`]

const body = Buffer.from(
  JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Write one sentence about foxes.' }], max_tokens: 64, ...(a.stream ? { stream: true, stream_options: { include_usage: true }, mock_chunks: 20, mock_delay_ms: 0 } : {}) }),
)
function load(origin, total) {
  const pool = new Pool(origin, { connections: C, pipelining: 1 })
  return new Promise((resolve) => {
    let issued = 0
    let done = 0
    let errors = 0
    const t0 = performance.now()
    const deadline = t0 + 60_000
    const next = () => {
      if (issued >= total || performance.now() > deadline) {
        if (done === issued) pool.close().then(() => resolve({ rps: done / ((performance.now() - t0) / 1000), errors }))
        return
      }
      issued++
      let status = 0
      pool.dispatch(
        { path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body },
        {
          onConnect() {},
          onHeaders(s) {
            status = s
            return true
          },
          onData() {
            return true
          },
          onComplete() {
            done++
            if (status !== 200) errors++
            next()
          },
          onError() {
            done++
            errors++
            setImmediate(next)
          },
        },
      )
    }
    for (let i = 0; i < C; i++) next()
  })
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-prof-'))
try {
  const mock = await start('mock', ['bench/mock-upstream.mjs'])
  const pass = await start('passthrough', ['bench/passthrough.mjs', '--upstream', mock.url], prof('passthrough'))
  const config = path.join(tmp, 'config.json')
  fs.writeFileSync(
    config,
    JSON.stringify({ version: 1, server: { host: '127.0.0.1', port: 0 }, providers: [{ id: 'mock', kind: 'vllm', baseUrl: `${mock.url}/v1`, models: ['bench-model'] }], routes: [{ model: 'bench-model', targets: [{ provider: 'mock' }] }] }),
  )
  const sy = await start('switchyard', ['bin/switchyard.js', 'serve', '--config', config, '--data-dir', path.join(tmp, 'data'), '--port', '0', '--admin-token', randomBytes(8).toString('hex'), '--log-level', 'warn'], prof('switchyard'))
  for (const [name, t] of [['passthrough', pass], ['switchyard', sy]]) {
    await load(t.url, Math.min(N, 3000)) // warm-up
    const r = await load(t.url, N)
    console.log(`${name}: ${r.rps.toFixed(0)} rps, ${r.errors} errors (c=${C}, ${N} ${a.stream ? 'streams' : 'requests'}, profiled)`)
  }
} finally {
  await Promise.all(kids.map((p) => new Promise((r) => (p.exitCode !== null ? r() : (p.once('exit', r), p.kill('SIGTERM'))))))
  fs.rmSync(tmp, { recursive: true, force: true })
}
for (const name of ['passthrough', 'switchyard']) {
  const file = path.join(DIR, `profile-${name}.cpuprofile`)
  const extra = a.focus ? ['--focus', a.focus] : []
  process.stdout.write(execFileSync(process.execPath, [path.join(ROOT, 'bench/profile-top.mjs'), file, '--top', a.top, ...extra], { encoding: 'utf8' }))
}
