// Bounded waiting for tests on real sockets: poll a condition, or sleep.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every 5 ms; rejects once `timeoutMs` passed without it holding. */
export async function until(check: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await sleep(5)
  }
}
