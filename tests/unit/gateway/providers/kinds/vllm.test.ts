import { describe, expect, it } from 'vitest'
import { vllm } from '../../../../../src/main/gateway/providers/kinds/vllm'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'
import { VLLM_V1_METRICS } from '../../routing/fixtures'

const cfg = { kind: 'vllm', baseUrl: 'http://gpu.local:8000/prefix/' }

describe('vllm adapter', () => {
  it('completes the /v1 base and keeps side channels at the server root', () => {
    const rt = runtimeOf(cfg)
    expect(baseOf(rt)).toBe('http://gpu.local:8000/prefix/v1')
    const t = targetOf(cfg)
    expect(vllm.probe!.url(t)).toBe('http://gpu.local:8000/prefix/health')
    expect(vllm.load!.url(t)).toBe('http://gpu.local:8000/prefix/metrics')
    expect(vllm.models.url(t)).toBe('http://gpu.local:8000/prefix/v1/models')
  })

  it('speaks chat; Responses and Anthropic Messages (at the root) only where configured', () => {
    expect(runtimeOf(cfg).dialects.map((d) => d.dialect)).toEqual(['openai-chat'])
    const rt = runtimeOf({ ...cfg, dialects: ['anthropic-messages', 'openai-responses'] })
    expect(rt.dialects.map((d) => d.dialect)).toEqual(['openai-chat', 'openai-responses', 'anthropic-messages'])
    expect(baseOf(rt, 'anthropic-messages')).toBe('http://gpu.local:8000/prefix')
    expect(baseOf(rt, 'openai-responses')).toBe('http://gpu.local:8000/prefix/v1')
  })

  it('a 503 from /health is a dead engine, not a busy one', () => {
    expect(vllm.probe!.judge(200)).toEqual({ ok: true })
    expect(vllm.probe!.judge(503)).toEqual({ ok: false, error: 'answered 503' })
    expect(vllm.probe!.judge(429)).toEqual({ ok: true, busy: true })
  })

  it('lists models with their max_model_len', async () => {
    const { get } = fakeGet({ 'http://gpu.local:8000/prefix/v1/models': { status: 200, body: { data: [{ id: 'qwen', max_model_len: 32768 }] } } })
    expect(await vllm.models.list(get, targetOf(cfg))).toEqual({ models: ['qwen'], contextLength: { qwen: 32768 } })
  })

  it('reads its load from /metrics, and says why when it cannot', async () => {
    const t = targetOf(cfg)
    const url = 'http://gpu.local:8000/prefix/metrics'
    expect(await vllm.load!.read(fakeGet({ [url]: { status: 200, body: VLLM_V1_METRICS } }).get, t, {})).toEqual({
      kind: 'vllm',
      running: 5,
      waiting: 1,
      kvCacheUsage: 0.61,
      models: ['Qwen/Qwen2.5-7B-Instruct'],
    })
    await expect(vllm.load!.read(fakeGet({ [url]: { status: 500, body: '' } }).get, t, {})).rejects.toThrow('/metrics answered 500')
    await expect(vllm.load!.read(fakeGet({ [url]: { status: 200, body: 'up 1\n' } }).get, t, {})).rejects.toThrow(/no vllm:num_requests/)
  })

  it('is local, learns no rate-limit headers, and sends reasoning back both ways', () => {
    expect(vllm.locality).toBe('local')
    expect(vllm.rateLimits.headers).toBeUndefined()
    expect(vllm.encodeOptions(runtimeOf(cfg).config)).toEqual({ reasoningField: 'both' })
  })
})
