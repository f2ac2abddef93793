// A soak: mixed good and hostile traffic for SOAK_SECONDS (default 180) while the gateway's RSS
// is sampled every 5 s. After warm-up the curve must be flat: the last third of the samples no
// higher on average than the first third (plus GC noise). The curve is written to
// test-artifacts/soak-rss.csv and printed, for the record.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../helpers/random'
import { ROOT } from '../helpers/serveProcess'
import { exchange, modelRequest, startFaultWorld, type ClientDialect, type FaultWorld } from './harness'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180)
const WARMUP_SECONDS = Math.min(45, SECONDS / 4)
const SAMPLE_MS = 5000
const CONCURRENCY = 16
const MIX = ['ok', 'ok', 'ok', 'ok', 'echo-model', 'status-500', 'status-429', 'status-401-echo-key', 'json-truncated', 'sse-no-done', 'sse-error-mid', 'sse-reset-mid', 'gzip-stream', 'gzip-json', 'html-200', 'sse-malformed', 'latin1-header', 'many-headers', 'sse-crlf-and-cr']
const DIALECTS: ClientDialect[] = ['chat', 'chat', 'messages', 'completions', 'embeddings']

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

describe('fault suite: soak', () => {
  let world: FaultWorld

  beforeAll(async () => {
    // Room for real concurrency: the soak is about memory under load, not about queueing.
    world = await startFaultWorld({ maxConcurrent: 64 })
  })
  afterAll(async () => {
    await world?.close()
  })

  it(`${SECONDS} s of mixed traffic: the process lives and its memory stays flat after warm-up`, { timeout: (SECONDS + 60) * 1000 }, async () => {
    const pid = world.gateway.child.pid!
    const random = seededRandom(1234)
    const started = Date.now()
    const samples: Array<{ s: number; rss: number; requests: number }> = []
    let requests = 0
    let failures = 0
    const sampler = setInterval(() => samples.push({ s: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid), requests }), SAMPLE_MS)
    const worker = async (): Promise<void> => {
      while (Date.now() - started < SECONDS * 1000) {
        const dialect = DIALECTS[Math.floor(random() * DIALECTS.length)]!
        const fault = MIX[Math.floor(random() * MIX.length)]!
        const claude = dialect !== 'completions' && dialect !== 'embeddings' && random() < 0.3
        const ex = await exchange(world, { ...modelRequest(dialect, `${claude ? 'claude-' : ''}fault:${fault}`, random() < 0.5), timeoutMs: 20_000 })
        requests++
        if (ex.status === 0) failures++
      }
    }
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()))
    } finally {
      clearInterval(sampler)
    }
    expect(world.gateway.alive()).toBe(true)
    expect(failures, 'requests that got no answer at all').toBe(0)

    const curve = samples.map((x) => `${x.s},${x.rss.toFixed(1)},${x.requests}`).join('\n')
    fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true })
    fs.writeFileSync(path.join(ROOT, 'test-artifacts/soak-rss.csv'), `seconds,rss_mib,requests\n${curve}\n`)
    console.log(`soak: ${requests} requests in ${SECONDS} s; RSS MiB by time:\n${samples.map((x) => `  ${x.s}s ${x.rss.toFixed(1)}`).join('\n')}`)

    const steady = samples.filter((x) => x.s >= WARMUP_SECONDS)
    expect(steady.length).toBeGreaterThanOrEqual(3)
    const third = Math.max(1, Math.floor(steady.length / 3))
    const mean = (xs: typeof steady): number => xs.reduce((a, x) => a + x.rss, 0) / xs.length
    const early = mean(steady.slice(0, third))
    const late = mean(steady.slice(-third))
    expect(late, `RSS grew from ${early.toFixed(1)} to ${late.toFixed(1)} MiB after warm-up`).toBeLessThanOrEqual(early * 1.15 + 16)
  })
})
