import { describe, expect, it } from 'vitest'
import { identifyServer } from '../../../../src/main/gateway/providers/identify'
import { fakeGet } from './helpers'

const at = (origin: string, table: Record<string, { status: number; body: unknown }>) =>
  fakeGet(Object.fromEntries(Object.entries(table).map(([path, answer]) => [origin + path, answer])))

describe('identifying a local server by its own API', () => {
  const origin = 'http://127.0.0.1:8080'

  it('llama.cpp by /props (it also serves /v1/models)', async () => {
    const { get } = at(origin, {
      '/props': { status: 200, body: { default_generation_settings: { n_ctx: 4096 }, total_slots: 1, model_path: '/m/q.gguf' } },
      '/v1/models': { status: 200, body: { data: [{ id: 'q.gguf' }] } },
    })
    expect(await identifyServer(origin, get)).toEqual({ kind: 'llamacpp', baseUrl: `${origin}/v1` })
  })

  it('Ollama, vLLM and LM Studio each by their own endpoint; anything else with /v1/models as OpenAI-compatible', async () => {
    expect(await identifyServer(origin, at(origin, { '/api/version': { status: 200, body: { version: '0.12.6' } }, '/v1/models': { status: 200, body: { data: [] } } }).get)).toEqual({ kind: 'ollama', baseUrl: origin })
    expect(await identifyServer(origin, at(origin, { '/metrics': { status: 200, body: 'vllm:num_requests_running{model_name="m"} 0\n' }, '/v1/models': { status: 200, body: { data: [{ id: 'm' }] } } }).get)).toEqual({ kind: 'vllm', baseUrl: `${origin}/v1` })
    expect(await identifyServer(origin, at(origin, { '/api/v0/models': { status: 200, body: { data: [{ id: 'q', state: 'loaded' }] } }, '/v1/models': { status: 200, body: { data: [{ id: 'q' }] } } }).get)).toEqual({
      kind: 'openai-compatible',
      baseUrl: `${origin}/v1`,
      presetId: 'lmstudio',
    })
    expect(await identifyServer(origin, at(origin, { '/v1/models': { status: 200, body: { data: [{ id: 'm' }] } } }).get)).toEqual({ kind: 'openai-compatible', baseUrl: `${origin}/v1` })
    expect(await identifyServer(origin, at(origin, {}).get)).toBeUndefined()
  })

  it('a path that fails to answer tells nothing, and each path is asked once', async () => {
    const asked: string[] = []
    const identified = await identifyServer(`${origin}/`, async (url) => {
      asked.push(url)
      if (url.endsWith('/props')) throw new Error('ECONNRESET')
      return { status: 404, headers: {}, body: '{}', latencyMs: 1 }
    })
    expect(identified).toBeUndefined()
    expect(new Set(asked).size).toBe(asked.length)
    expect(asked.every((u) => u.startsWith(`${origin}/`) && !u.startsWith(`${origin}//`))).toBe(true)
  })
})
