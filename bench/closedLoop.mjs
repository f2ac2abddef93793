// Closed-loop load for the bench scripts: `connections` requests in flight at all times until
// `count` are sent (or the deadline passes), each recorded at the client (latency, time to the
// first body byte, status). One undici Pool per run, closed at the end.
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'

/**
 * @param {string} origin
 * @param {{ connections: number, count: number, request: { path: string, headers: Record<string, string>, body: Buffer }, deadlineMs?: number }} o
 * @returns {Promise<{ ms: number, n: number, errors: number, lat: number[], ttfc: number[] }>}
 */
export function closedLoop(origin, { connections, count, request, deadlineMs = 60_000 }) {
  const pool = new Pool(origin, { connections, pipelining: 1 })
  const lat = []
  const ttfc = []
  let errors = 0
  return new Promise((resolve) => {
    let issued = 0
    let done = 0
    const t0 = performance.now()
    const next = () => {
      if (issued >= count || performance.now() - t0 > deadlineMs) {
        if (done === issued) void pool.close().then(() => resolve({ ms: performance.now() - t0, n: done, errors, lat, ttfc }))
        return
      }
      issued++
      const s = performance.now()
      let first = 0
      let status = 0
      pool.dispatch(
        { path: request.path, method: 'POST', headers: request.headers, body: request.body },
        {
          onConnect() {},
          onHeaders(st) {
            status = st
            return true
          },
          onData() {
            if (!first) first = performance.now()
            return true
          },
          onComplete() {
            done++
            if (status !== 200) errors++
            lat.push(performance.now() - s)
            ttfc.push(first - s)
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
    for (let i = 0; i < connections; i++) next()
  })
}
