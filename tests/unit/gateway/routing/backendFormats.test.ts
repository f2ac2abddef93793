import { describe, expect, it } from 'vitest'
import { parseModelList } from '../../../../src/main/gateway/providers/kinds/openai-compatible/models'
import { isOllamaModelLoaded, parseOllamaPs, parseOllamaTags } from '../../../../src/main/gateway/providers/kinds/ollama/native'
import { parsePrometheusText } from '../../../../src/main/gateway/providers/prometheus'
import { vllmLoadFromMetrics } from '../../../../src/main/gateway/providers/kinds/vllm/metrics'
import { modelsUrl, probeUrl, loadUrl, backendTargetOf } from '../../../../src/main/gateway/providers/backendTarget'
import { buildRuntime } from '../../../../src/main/gateway/runtime/runtime'
import { config, literalSecrets, VLLM_V0_METRICS, VLLM_V1_METRICS } from './fixtures'

describe('Prometheus text parsing', () => {
  it('keeps only the wanted metrics, with labels, values and timestamps', () => {
    const text = 'a{x="1",y="q\\"uo,te"} 2.5 1700000000000\nb 3\n# TYPE a gauge\na_sum 9\nc{x="2"} +Inf\nbroken{x="1" 4\n'
    expect(parsePrometheusText(text, new Set(['a', 'c', 'broken']))).toEqual([
      { name: 'a', labels: { x: '1', y: 'q"uo,te' }, value: 2.5 },
      { name: 'c', labels: { x: '2' }, value: Infinity },
    ])
  })

  it('reads vLLM V1 gauges: sums requests across engines, takes the fullest KV cache', () => {
    expect(vllmLoadFromMetrics(VLLM_V1_METRICS)).toEqual({ running: 5, waiting: 1, kvCacheUsage: 0.61, models: ['Qwen/Qwen2.5-7B-Instruct'] })
  })

  it('reads the older gpu_cache_usage_perc name, and prefers kv_cache_usage_perc when both appear', () => {
    expect(vllmLoadFromMetrics(VLLM_V0_METRICS)).toEqual({ running: 4, waiting: 7, kvCacheUsage: 0.973, models: ['meta-llama/Llama-3.1-8B-Instruct'] })
    const both = `${VLLM_V0_METRICS}vllm:kv_cache_usage_perc{model_name="m"} 0.2\n`
    expect(vllmLoadFromMetrics(both)?.kvCacheUsage).toBe(0.2)
  })

  it('is undefined for a page without vLLM gauges', () => {
    expect(vllmLoadFromMetrics('# HELP up\nup 1\n')).toBeUndefined()
  })
})

describe('Ollama native payloads', () => {
  const ps = {
    models: [
      {
        name: 'llama3.2:latest',
        model: 'llama3.2:latest',
        size: 3_825_819_519,
        digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
        details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
        expires_at: '2025-01-01T00:05:00.000000000Z',
        size_vram: 3_825_819_519,
      },
      { name: 'qwen2.5:7b', model: 'qwen2.5:7b', size: 4_683_087_332, expires_at: '0001-01-01T00:00:00Z', size_vram: 0 },
    ],
  }
  const t0 = Date.parse('2025-01-01T00:00:00Z')

  it('parses /api/ps with expiry and VRAM size', () => {
    const loaded = parseOllamaPs(ps)
    expect(loaded[0]).toEqual({
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      expiresAt: t0 + 300_000,
      sizeVram: 3_825_819_519,
      size: 3_825_819_519,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: { format: 'gguf', family: 'llama', parameterSize: '3.2B', quantizationLevel: 'Q4_K_M' },
    })
    expect(loaded[1]!.expiresAt).toBeUndefined()
    expect(loaded[1]).not.toHaveProperty('details')
    expect(() => parseOllamaPs({})).toThrow()
  })

  it('matches models with or without :latest, and not after they expire', () => {
    const loaded = parseOllamaPs(ps)
    expect(isOllamaModelLoaded(loaded, 'llama3.2', t0)).toBe(true)
    expect(isOllamaModelLoaded(loaded, 'llama3.2:latest', t0)).toBe(true)
    expect(isOllamaModelLoaded(loaded, 'qwen2.5:7b', t0)).toBe(true)
    expect(isOllamaModelLoaded(loaded, 'mistral', t0)).toBe(false)
    expect(isOllamaModelLoaded(loaded, 'llama3.2', t0 + 300_001)).toBe(false)
  })

  it('lists /api/tags names and their :latest-less aliases', () => {
    const tags = { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', modified_at: '2025-01-01T00:00:00Z', size: 1 }, { name: 'qwen2.5:7b', model: 'qwen2.5:7b' }] }
    expect(parseOllamaTags(tags)).toEqual(['llama3.2:latest', 'llama3.2', 'qwen2.5:7b'])
  })

  it('reads OpenAI/Anthropic model lists', () => {
    expect(parseModelList({ object: 'list', data: [{ id: 'a', object: 'model' }, { id: 'b' }, { id: 'a' }] })).toEqual(['a', 'b'])
    expect(() => parseModelList({ models: [] })).toThrow()
  })
})

describe('side-channel URLs per kind', () => {
  const rt = buildRuntime(
    config({
      providers: [
        { id: 'v', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'vk' },
        { id: 'v2', kind: 'vllm', baseUrl: 'http://gpu.local:8000/prefix/' },
        { id: 'o', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
        { id: 'oa', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1/', apiKey: 'sk-test' },
        { id: 'an', kind: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', apiKey: 'ak-test' },
      ],
    }),
    literalSecrets,
  )
  const t = (id: string) => backendTargetOf(rt.providers.get(id)!)

  it('puts vLLM /health and /metrics at the server root, not under /v1', () => {
    expect(probeUrl(t('v'))).toBe('http://127.0.0.1:8000/health')
    expect(loadUrl(t('v'))).toBe('http://127.0.0.1:8000/metrics')
    expect(modelsUrl(t('v'))).toBe('http://127.0.0.1:8000/v1/models')
    expect(probeUrl(t('v2'))).toBe('http://gpu.local:8000/prefix/health')
    expect(t('v').headers.authorization).toBe('Bearer vk')
  })

  it('uses Ollama’s native API at its root, /models on the OpenAI base, and no probe for Anthropic', () => {
    expect(probeUrl(t('o'))).toBe('http://127.0.0.1:11434/api/version')
    expect(loadUrl(t('o'))).toBe('http://127.0.0.1:11434/api/ps')
    expect(modelsUrl(t('o'))).toBe('http://127.0.0.1:11434/api/tags')
    expect(probeUrl(t('oa'))).toBe('https://api.openai.com/v1/models')
    expect(loadUrl(t('oa'))).toBeUndefined()
    expect(probeUrl(t('an'))).toBeUndefined()
    expect(modelsUrl(t('an'))).toBe('https://api.anthropic.com/v1/models')
  })

  it('sends Anthropic its key as x-api-key with an API version', () => {
    expect(t('an').headers).toMatchObject({ 'x-api-key': 'ak-test', 'anthropic-version': '2023-06-01' })
    expect(t('an').headers.authorization).toBeUndefined()
  })
})
