import { describe, expect, it } from 'vitest'
import { register as globalRegistry } from 'prom-client'
import { GatewayMetrics } from '../../../../src/main/gateway/usage/metrics'

const usage = { promptTokens: 10, completionTokens: 5, cachedTokens: 4, cacheCreationTokens: 0, reasoningTokens: 2 }

describe('GatewayMetrics', () => {
  it('exposes the switchyard_ metrics on its own registry', async () => {
    const m = new GatewayMetrics()
    m.observe({ provider: 'vllm-a', app: 'aider', status: 200, usage, durationSec: 42, ttftSec: 0.8 })
    m.setQueueDepth('vllm-a', 3)
    m.setUpstreamUp('vllm-a', true)
    const text = await m.exposition()
    expect(text).toContain('switchyard_requests_total{provider="vllm-a",app="aider",status="200"} 1')
    expect(text).toContain('switchyard_tokens_total{provider="vllm-a",app="aider",kind="prompt"} 10')
    expect(text).toContain('switchyard_tokens_total{provider="vllm-a",app="aider",kind="completion"} 5')
    expect(text).toContain('switchyard_tokens_total{provider="vllm-a",app="aider",kind="cached"} 4')
    expect(text).toContain('switchyard_tokens_total{provider="vllm-a",app="aider",kind="reasoning"} 2')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{le="60",provider="vllm-a"} 1')
    expect(text).toContain('switchyard_request_duration_seconds_bucket{le="600",provider="vllm-a"} 1')
    expect(text).toContain('switchyard_ttft_seconds_bucket{le="1",provider="vllm-a"} 1')
    expect(text).toContain('switchyard_queue_depth{provider="vllm-a"} 3')
    expect(text).toContain('switchyard_upstream_up{provider="vllm-a"} 1')
    expect(m.contentType).toContain('text/plain')
    expect(await globalRegistry.metrics()).not.toContain('switchyard_')
    // A second instance does not collide (its own registry).
    expect(() => new GatewayMetrics()).not.toThrow()
  })

  it('folds apps beyond the cap into "other"', async () => {
    const m = new GatewayMetrics({ maxApps: 2 })
    for (const app of ['a', 'b', 'c', 'd', 'a']) m.observe({ provider: 'p', app, status: 200, usage })
    const text = await m.exposition()
    expect(text).toContain('switchyard_requests_total{provider="p",app="a",status="200"} 2')
    expect(text).toContain('switchyard_requests_total{provider="p",app="other",status="200"} 2')
    expect(text).not.toContain('app="c"')
  })

  it('counts cache writes as their own kind and forgets the gauges of removed providers', async () => {
    const m = new GatewayMetrics()
    m.observe({ provider: 'claude', app: 'x', status: 200, usage: { ...usage, cacheCreationTokens: 300 } })
    m.setUpstreamUp('claude', true)
    m.setQueueDepth('gone', 1)
    m.setUpstreamUp('gone', false)
    m.retainProviders(['claude'])
    const text = await m.exposition()
    expect(text).toContain('switchyard_tokens_total{provider="claude",app="x",kind="cache_creation"} 300')
    expect(text).toContain('switchyard_upstream_up{provider="claude"} 1')
    expect(text).not.toContain('provider="gone"')
  })
})
