// Loading an encoding in the tokenizer's worker leaves this thread's event loop free. (Its own
// file: nothing here imports gpt-tokenizer, so an in-process load would not be a cached no-op
// and the test would fail with it.)
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { workerScript } from '../../../../src/main/gateway/common/workerScript'
import { heuristicTokensOfParts, TokenCounter } from '../../../../src/main/gateway/admission/tokenCounter'
import { TokenThread } from '../../../../src/main/gateway/admission/tokenThread'

describe('the first tokenizer load', () => {
  it("does not hold this thread's event loop (in-process it holds it for the whole load, 0.3-1.2 s)", async () => {
    const t = new TokenThread({ script: () => workerScript('tokenWorker'), local: () => new TokenCounter(), heuristic: heuristicTokensOfParts })
    try {
      const delay = monitorEventLoopDelay({ resolution: 5 })
      delay.enable()
      const started = performance.now()
      expect(await t.warmUp('o200k_base')).toBe(true)
      const loadMs = performance.now() - started
      delay.disable()
      expect((t as unknown as { worker?: Worker }).worker).toBeDefined() // loaded over there
      const worstMs = delay.max / 1e6
      expect(loadMs).toBeGreaterThan(worstMs)
      expect(worstMs).toBeLessThan(150)
    } finally {
      await t.close()
    }
  })
})
