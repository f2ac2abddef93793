// Model discovery through the real gateway: what the backends report (vLLM /v1/models, Ollama
// /api/tags) is listed by the gateway's /v1/models next to the route names, and routes requests.
import { describe, expect, it } from 'vitest'
import { postJson, request } from '../../helpers/http'
import { startMockBackend } from '../../helpers/mockBackend'
import { chat, completions, gateway, onCleanup, useCleanup } from './harness'
import { until } from './loopback'

useCleanup()

type ModelList = { object: string; data: Array<{ id: string; object: string; owned_by: string }> }
type ErrorBody = { error: { message: string; code: string } }

async function backends() {
  const vllmModels = ['qwen', 'mistral-7b']
  const vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm', models: vllmModels })
  const ollama = await startMockBackend({ flavor: 'ollama', name: 'ollama', models: ['llama3.2:latest', 'phi3:mini'] })
  onCleanup(() => vllm.close())
  onCleanup(() => ollama.close())
  return { vllm, ollama, vllmModels }
}

const fast = { probeIntervalMs: 60_000, loadIntervalMs: 60_000, discoveryIntervalMs: 60_000 }

async function discovered(gw: Awaited<ReturnType<typeof gateway>>): Promise<void> {
  await until(() => gw.gateway.router.status().every((s) => s.discovery?.fetchedAt !== undefined))
}

describe('model discovery through the gateway', () => {
  it('/v1/models lists discovered and configured models plus exact route names (not globs)', async () => {
    const { vllm, ollama } = await backends()
    const gw = await gateway(
      {
        providers: [
          { id: 'v', kind: 'vllm', baseUrl: vllm.baseUrl },
          { id: 'o', kind: 'ollama', baseUrl: ollama.baseUrl, models: ['configured-only'] },
        ],
        routes: [
          { model: 'local', strategy: 'round-robin', targets: [{ provider: 'v', model: 'qwen' }, { provider: 'o', model: 'llama3.2' }] },
          { model: 'claude-*', targets: [{ provider: 'v', model: 'qwen' }] },
        ],
      },
      { sideChannels: true, routing: fast },
    )
    await discovered(gw)
    const res = await request(gw.url, { path: '/v1/models' })
    expect(res.status).toBe(200)
    const list = res.json<ModelList>()
    expect(list.object).toBe('list')
    const owner = new Map(list.data.map((m) => [m.id, m.owned_by]))
    expect([...owner.keys()].sort()).toEqual(['configured-only', 'llama3.2', 'llama3.2:latest', 'local', 'mistral-7b', 'phi3:mini', 'qwen'])
    expect(owner.get('mistral-7b')).toBe('v')
    expect(owner.get('phi3:mini')).toBe('o')
    expect(owner.get('configured-only')).toBe('o')
    expect(owner.get('local')).toBe('switchyard')
    expect(list.data.every((m) => m.object === 'model')).toBe(true)
    // The app API shows the same per provider.
    const { items } = await gw.gateway.api.listProviders(undefined)
    expect(items.find((p) => p.id === 'v')!.discoveredModels.sort()).toEqual(['mistral-7b', 'qwen'])
    expect(items.find((p) => p.id === 'o')!.discoveredModels).toEqual(expect.arrayContaining(['configured-only', 'llama3.2:latest', 'phi3:mini']))
  })

  it('a model only discovered (not configured) resolves to the provider that has it', async () => {
    const { vllm, ollama } = await backends()
    const gw = await gateway(
      {
        providers: [
          { id: 'v', kind: 'vllm', baseUrl: vllm.baseUrl },
          { id: 'o', kind: 'ollama', baseUrl: ollama.baseUrl },
        ],
      },
      { sideChannels: true, routing: fast },
    )
    await discovered(gw)
    for (const [model, provider] of [
      ['mistral-7b', 'v'],
      ['phi3:mini', 'o'],
      ['llama3.2', 'o'], // the bare name of an installed `:latest` tag
    ] as const) {
      const res = await postJson(gw.url, '/v1/chat/completions', chat(model))
      expect(res.status, model).toBe(200)
      expect(res.headers['x-switchyard-provider']).toBe(provider)
      expect(res.headers['x-switchyard-model']).toBe(model)
    }
    expect(vllm.requests.filter((r) => r.method === 'POST').map((r) => r.body?.model)).toEqual(['mistral-7b'])
    expect(ollama.requests.filter((r) => r.method === 'POST').map((r) => r.body?.model)).toEqual(['phi3:mini', 'llama3.2'])
    const resolution = await gw.gateway.api.resolveModel({ model: 'mistral-7b' })
    expect(resolution).toMatchObject({ via: 'provider', candidates: [{ provider: 'v', upstreamModel: 'mistral-7b', available: true }] })
  })

  it('a model a backend starts serving later routes there after the next refresh (resolution is not cached stale)', async () => {
    const { vllm, ollama, vllmModels } = await backends()
    const gw = await gateway(
      { activeProvider: 'o', providers: [{ id: 'v', kind: 'vllm', baseUrl: vllm.baseUrl }, { id: 'o', kind: 'ollama', baseUrl: ollama.baseUrl }] },
      { sideChannels: true, routing: fast },
    )
    await discovered(gw)
    // Nobody serves it yet: the active provider gets it (and answers with its own 404).
    expect((await postJson(gw.url, '/v1/chat/completions', chat('new-model'))).headers['x-switchyard-provider']).toBe('o')
    vllmModels.push('new-model') // the operator loads another model on the vLLM host
    await gw.gateway.router.catalog!.refresh('v')
    const res = await postJson(gw.url, '/v1/chat/completions', chat('new-model'))
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('v')
  })

  it('an unknown model is a 404 whose message lists discovered models too', async () => {
    const { vllm, ollama } = await backends()
    const gw = await gateway(
      { providers: [{ id: 'v', kind: 'vllm', baseUrl: vllm.baseUrl }, { id: 'o', kind: 'ollama', baseUrl: ollama.baseUrl }] },
      { sideChannels: true, routing: fast },
    )
    await discovered(gw)
    const res = await postJson(gw.url, '/v1/chat/completions', chat('gpt-9'))
    expect(res.status).toBe(404)
    const body = res.json<ErrorBody>()
    expect(body.error.code).toBe('model_not_found')
    expect(body.error.message).toContain('mistral-7b')
    expect(body.error.message).toContain('phi3:mini')
    expect(completions(vllm) + completions(ollama)).toBe(0)
  })

  it('a model that appears on the backend later becomes routable after a refresh (app API discoverModels)', async () => {
    const { vllm, vllmModels } = await backends()
    const gw = await gateway({ providers: [{ id: 'v', kind: 'vllm', baseUrl: vllm.baseUrl }] }, { sideChannels: true, routing: fast })
    await discovered(gw)
    expect((await postJson(gw.url, '/v1/chat/completions', chat('deepseek-r1'))).status).toBe(404)
    vllmModels.push('deepseek-r1') // the operator started serving another model
    expect((await gw.gateway.api.discoverModels({ id: 'v' })).models).toContain('deepseek-r1')
    const res = await postJson(gw.url, '/v1/chat/completions', chat('deepseek-r1'))
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('v')
    const listed = (await request(gw.url, { path: '/v1/models' })).json<ModelList>().data.map((m) => m.id)
    expect(listed).toContain('deepseek-r1')
  })

  it('two backends that both report a model share it, with failover between them', async () => {
    const a = await startMockBackend({ flavor: 'vllm', name: 'a', models: ['shared'] })
    const b = await startMockBackend({ flavor: 'vllm', name: 'b', models: ['shared'] })
    onCleanup(() => a.close())
    onCleanup(() => b.close())
    const gw = await gateway(
      { providers: [{ id: 'a', kind: 'vllm', baseUrl: a.baseUrl }, { id: 'b', kind: 'vllm', baseUrl: b.baseUrl }] },
      { sideChannels: true, routing: fast },
    )
    await discovered(gw)
    a.behavior.errorStatus = 500
    const res = await postJson(gw.url, '/v1/chat/completions', chat('shared'))
    expect(res.status).toBe(200)
    expect(res.headers['x-switchyard-provider']).toBe('b')
    expect([completions(a), completions(b)]).toEqual([1, 1])
  })
})
