// SIGTERM and SIGKILL under load, with row accounting: every request that got a request id has
// exactly one row, none stays in flight — after a graceful stop at once, after a kill once the
// next start has reconciled what the crash left open.
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnServe } from '../helpers/serveProcess'
import { ADMIN_TOKEN, exchange, modelRequest, startFaultWorld, type Exchange, type FaultWorld } from './harness'

const LOAD = 40

function rows(dataDir: string): Array<{ request_id: string; state: string; error_class: string | null }> {
  const db = new Database(path.join(dataDir, 'usage.db'), { readonly: true })
  try {
    return db.prepare('SELECT request_id, state, error_class FROM requests').all() as Array<{ request_id: string; state: string; error_class: string | null }>
  } finally {
    db.close()
  }
}

/** LOAD requests at once: slow streams (drip: ~2.5 s), quick answers and some that never answer. */
function load(world: FaultWorld): Array<Promise<Exchange>> {
  const faults = ['drip', 'ok', 'stall-before-headers', 'drip', 'sse-giant-event']
  // Spread over both providers; maxConcurrent 1 each, so most of them queue.
  return Array.from({ length: LOAD }, (_, i) => exchange(world, { ...modelRequest(i % 3 === 0 ? 'messages' : 'chat', `${i % 2 ? 'claude-' : ''}fault:${faults[i % faults.length]}`, i % 2 === 0), timeoutMs: 20_000 }))
}

describe('fault suite: signals under load', () => {
  let world: FaultWorld | undefined
  afterEach(async () => {
    await world?.close()
    world = undefined
  })

  it('SIGTERM: exits 0 within the grace period, and every request has one final row', async () => {
    world = await startFaultWorld()
    const dataDir = path.join(world.dir, 'data')
    const pending = load(world)
    await new Promise((r) => setTimeout(r, 700))
    const t0 = Date.now()
    world.gateway.child.kill('SIGTERM')
    const { code } = await world.gateway.exited
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(1000 /* grace */ + 6000)
    const answers = await Promise.all(pending)
    const ids = answers.map((a) => a.headers['x-request-id']).filter((id): id is string => typeof id === 'string')
    expect(ids.length).toBeGreaterThan(LOAD / 2)
    const stored = rows(dataDir)
    expect(stored.filter((r) => r.state === 'in_flight')).toEqual([])
    const byId = new Map(stored.map((r) => [r.request_id, r]))
    for (const id of ids) expect(byId.has(id), `no row for ${id}`).toBe(true)
    expect(new Set(stored.map((r) => r.request_id)).size).toBe(stored.length) // one row per request
  })

  it('SIGKILL: after the restart, every request that reached the gateway has a final row, the open ones `interrupted`', async () => {
    world = await startFaultWorld()
    const dataDir = path.join(world.dir, 'data')
    const pending = load(world)
    await new Promise((r) => setTimeout(r, 1500)) // markers of the requests under way are on disk by now (≤ 1 s batch window)
    world.gateway.child.kill('SIGKILL')
    await world.gateway.exited
    const answers = await Promise.all(pending)
    const completed = answers.filter((a) => a.status === 200 && !a.broken)
    const again = spawnServe(['--config', path.join(world.dir, 'config.json'), '--data-dir', dataDir, '--port', '0', '--admin-token', ADMIN_TOKEN, '--log-level', 'warn'])
    try {
      await again.url
      const stored = rows(dataDir)
      expect(stored.filter((r) => r.state === 'in_flight')).toEqual([])
      expect(stored.some((r) => r.state === 'interrupted')).toBe(true)
      // Answers completed more than a batch window before the kill are stored as such.
      const byId = new Map(stored.map((r) => [r.request_id, r]))
      const early = completed.filter((a) => byId.has(String(a.headers['x-request-id'])))
      expect(early.length).toBeGreaterThan(0)
      for (const a of early) expect(['ok', 'error']).toContain(byId.get(String(a.headers['x-request-id']))!.state)
    } finally {
      again.child.kill('SIGKILL')
      await again.exited
    }
  })
})
