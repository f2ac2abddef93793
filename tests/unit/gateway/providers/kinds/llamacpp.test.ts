import { describe, expect, it } from 'vitest'
import { llamacpp } from '../../../../../src/main/gateway/providers/kinds/llamacpp'
import { llamacppLoadFromMetrics, llamacppLoadFromSlots, parseLlamacppProps } from '../../../../../src/main/gateway/providers/kinds/llamacpp/server'
import { baseOf, fakeGet, runtimeOf, targetOf } from '../helpers'

const cfg = { kind: 'llamacpp', baseUrl: 'http://127.0.0.1:8080' }
const ROOT = 'http://127.0.0.1:8080'

// As llama-server b6xxx answers (trimmed to the fields that matter).
const PROPS = { default_generation_settings: { n_ctx: 8192, params: { temperature: 0.8 } }, total_slots: 4, model_path: '/models/qwen2.5-7b-instruct-q4_k_m.gguf', chat_template: '...' }
const SLOTS = [
  { id: 0, id_task: 12, n_ctx: 8192, is_processing: true },
  { id: 1, id_task: -1, n_ctx: 8192, is_processing: false },
  { id: 2, id_task: 15, n_ctx: 8192, is_processing: true },
  { id: 3, id_task: -1, n_ctx: 8192, is_processing: false },
]
const METRICS = [
  '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
  '# TYPE llamacpp:prompt_tokens_total counter',
  'llamacpp:prompt_tokens_total 5120',
  '# HELP llamacpp:requests_processing Number of requests processing.',
  '# TYPE llamacpp:requests_processing gauge',
  'llamacpp:requests_processing 3',
  '# HELP llamacpp:requests_deferred Number of requests deferred.',
  '# TYPE llamacpp:requests_deferred gauge',
  'llamacpp:requests_deferred 2',
  'llamacpp:kv_cache_usage_ratio 0.42',
  '',
].join('\n')
const NOT_SUPPORTED = { status: 501, body: { error: { code: 501, message: 'This server does not support metrics endpoint. Start it with `--metrics`', type: 'not_supported_error' } } }

describe('llamacpp adapter', () => {
  it('chat under /v1 (completed), side channels at the root; Anthropic Messages where configured', () => {
    expect(baseOf(runtimeOf(cfg))).toBe(`${ROOT}/v1`)
    expect(baseOf(runtimeOf({ kind: 'llamacpp', baseUrl: `${ROOT}/v1/` }))).toBe(`${ROOT}/v1`)
    const t = targetOf(cfg)
    expect(llamacpp.probe!.url(t)).toBe(`${ROOT}/health`)
    expect(llamacpp.models.url(t)).toBe(`${ROOT}/v1/models`)
    expect(llamacpp.load!.url(t)).toBe(`${ROOT}/slots`)
    expect(runtimeOf(cfg).dialects.map((d) => d.dialect)).toEqual(['openai-chat'])
    expect(baseOf(runtimeOf({ ...cfg, dialects: ['anthropic-messages'] }), 'anthropic-messages')).toBe(ROOT)
  })

  it('a 503 while the model loads is busy, not down', () => {
    expect(llamacpp.probe!.judge(200)).toEqual({ ok: true })
    expect(llamacpp.probe!.judge(503)).toEqual({ ok: true, busy: true })
    expect(llamacpp.probe!.judge(500)).toEqual({ ok: false, error: 'answered 500' })
  })

  it('lists /v1/models with the context per slot from /props; a failing /props costs only the context', async () => {
    const t = targetOf(cfg)
    const list = { status: 200, body: { object: 'list', data: [{ id: 'qwen2.5-7b-instruct-q4_k_m.gguf', object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 32768 } }] } }
    expect(await llamacpp.models.list(fakeGet({ [`${ROOT}/v1/models`]: list, [`${ROOT}/props`]: { status: 200, body: PROPS } }).get, t)).toEqual({
      models: ['qwen2.5-7b-instruct-q4_k_m.gguf'],
      contextLength: { 'qwen2.5-7b-instruct-q4_k_m.gguf': 8192 },
    })
    expect(await llamacpp.models.list(fakeGet({ [`${ROOT}/v1/models`]: list }).get, t)).toEqual({ models: ['qwen2.5-7b-instruct-q4_k_m.gguf'], contextLength: {} })
    expect(parseLlamacppProps(PROPS)).toEqual({ model: 'qwen2.5-7b-instruct-q4_k_m.gguf', contextLength: 8192, slots: 4 })
    expect(parseLlamacppProps({ version: '0.5.7' })).toBeUndefined()
  })

  it('load: /metrics when started with --metrics (processing and deferred), remembered', async () => {
    const t = targetOf(cfg)
    const memo: Record<string, unknown> = {}
    const fake = fakeGet({ [`${ROOT}/metrics`]: { status: 200, body: METRICS }, [`${ROOT}/slots`]: { status: 200, body: SLOTS } })
    expect(await llamacpp.load!.read(fake.get, t, memo)).toEqual({ kind: 'llamacpp', running: 3, waiting: 2, kvCacheUsage: 0.42, models: [] })
    expect(memo.source).toBe('metrics')
    expect(fake.asked).toEqual([`${ROOT}/metrics`])
    // Once /metrics worked, its failure is a failure (not a reason to switch).
    await expect(llamacpp.load!.read(fakeGet({ [`${ROOT}/metrics`]: { status: 500, body: 'boom' }, [`${ROOT}/slots`]: { status: 200, body: SLOTS } }).get, t, memo)).rejects.toThrow('/metrics answered 500')
  })

  it('load: busy slots of all from /slots when /metrics is off, asked once', async () => {
    const t = targetOf(cfg)
    const memo: Record<string, unknown> = {}
    const fake = fakeGet({ [`${ROOT}/metrics`]: NOT_SUPPORTED, [`${ROOT}/slots`]: { status: 200, body: SLOTS } })
    expect(await llamacpp.load!.read(fake.get, t, memo)).toEqual({ kind: 'llamacpp', running: 2, waiting: 0, models: [], slots: 4 })
    expect(await llamacpp.load!.read(fake.get, t, memo)).toMatchObject({ running: 2, slots: 4 })
    expect(fake.asked).toEqual([`${ROOT}/metrics`, `${ROOT}/slots`, `${ROOT}/slots`])
    // Older builds say "state": 1 for a processing slot.
    expect(llamacppLoadFromSlots([{ id: 0, state: 1 }, { id: 1, state: 0 }])).toMatchObject({ running: 1, slots: 2 })
    expect(() => llamacppLoadFromSlots({ error: 'x' })).toThrow(/not a list/)
    await expect(llamacpp.load!.read(fakeGet({ [`${ROOT}/metrics`]: NOT_SUPPORTED, [`${ROOT}/slots`]: NOT_SUPPORTED }).get, t, {})).rejects.toThrow('/slots answered 501')
    expect(llamacppLoadFromMetrics('llamacpp:prompt_tokens_total 1\n')).toBeUndefined()
  })

  it('is local with vLLM’s timeouts, no prices, no rate-limit headers; found by its /props', () => {
    expect(llamacpp.locality).toBe('local')
    expect(llamacpp.defaultTimeouts).toEqual({ connectMs: 10_000, firstByteMs: 600_000, idleMs: 120_000 })
    expect(llamacpp.prices).toEqual({})
    expect(llamacpp.rateLimits.headers).toBeUndefined()
    const [fp] = llamacpp.fingerprints!
    expect(fp!.path).toBe('/props')
    expect(fp!.matches(200, PROPS)).toBe(true)
    expect(fp!.matches(404, PROPS)).toBe(false)
    expect(fp!.baseUrl(ROOT)).toBe(`${ROOT}/v1`)
  })
})
