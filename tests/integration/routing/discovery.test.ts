import { describe, expect, it } from 'vitest'
import type { BackendTarget } from '../../../src/main/gateway/providers/backendTarget'
import { discoverModels } from '../../../src/main/gateway/providers/discovery'
import { catalogTargetOf, ModelCatalog, type CatalogTarget } from '../../../src/main/gateway/providers/modelCatalog'
import { buildRuntime } from '../../../src/main/gateway/runtime/runtime'
import { config, literalSecrets } from '../../unit/gateway/routing/fixtures'
import { onCleanup, useCleanup } from '../../helpers/cleanup'
import { backendClient, json, loopback, refusedPort, until, type Loopback } from './loopback'

useCleanup()

/** An OpenAI-compatible /v1/models that insists on the key. */
async function openAIServer(models: string[], key = 'sk-test'): Promise<Loopback> {
  return loopback((req, res) => {
    if (req.url !== '/v1/models') return json(res, 404, { error: { message: 'not found' } })
    if (req.headers.authorization !== `Bearer ${key}`) return json(res, 401, { error: { message: 'bad key' } })
    json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'system' })) })
  })
}

describe('model discovery against each backend format', () => {
  it('openai-compatible: GET {base}/models with the key', async () => {
    const lb = await openAIServer(['gpt-4o-mini', 'gpt-4o'])
    const target: BackendTarget = { id: 'oa', kind: 'openai-compatible', baseUrl: `${lb.url}/v1`, headers: { authorization: 'Bearer sk-test' } }
    expect(await discoverModels(backendClient(), target, 2_000)).toEqual(['gpt-4o-mini', 'gpt-4o'])
  })

  it('vllm: GET /v1/models even when the baseUrl omits /v1', async () => {
    const lb = await loopback((req, res) => (req.url === '/v1/models' ? json(res, 200, { object: 'list', data: [{ id: 'Qwen/Qwen2.5-7B-Instruct', object: 'model', max_model_len: 32768 }] }) : json(res, 404, {})))
    expect(await discoverModels(backendClient(), { id: 'v', kind: 'vllm', baseUrl: lb.url, headers: {} }, 2_000)).toEqual(['Qwen/Qwen2.5-7B-Instruct'])
  })

  it('ollama: GET /api/tags, names with and without :latest', async () => {
    const lb = await loopback((req, res) =>
      req.url === '/api/tags'
        ? json(res, 200, { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', size: 2019393189, digest: 'a80c', details: { family: 'llama' } }, { name: 'qwen2.5:7b', model: 'qwen2.5:7b' }] })
        : json(res, 404, { error: 'not found' }),
    )
    const models = await discoverModels(backendClient(), { id: 'o', kind: 'ollama', baseUrl: `${lb.url}/v1`, headers: {} }, 2_000)
    expect(models).toEqual(['llama3.2:latest', 'llama3.2', 'qwen2.5:7b'])
  })

  it('anthropic: GET /v1/models with x-api-key + anthropic-version, following pages', async () => {
    const lb = await loopback((req, res) => {
      const url = new URL(req.url!, 'http://x')
      if (url.pathname !== '/v1/models') return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'nope' } })
      if (req.headers['x-api-key'] !== 'ak-test' || req.headers['anthropic-version'] !== '2023-06-01' || req.headers.authorization) {
        return json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })
      }
      const page = (ids: string[], more: boolean) => ({ data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })), has_more: more, first_id: ids[0], last_id: ids.at(-1) })
      if (url.searchParams.get('after_id') === 'claude-sonnet-4-5') return json(res, 200, page(['claude-3-5-haiku-latest'], false))
      json(res, 200, page(['claude-opus-4-1', 'claude-sonnet-4-5'], true))
    })
    const rt = buildRuntime(config({ providers: [{ id: 'an', kind: 'anthropic', baseUrl: lb.url, apiKey: 'ak-test' }] }), literalSecrets)
    const target = catalogTargetOf(rt.providers.get('an')!)
    expect(await discoverModels(backendClient(), target, 2_000)).toEqual(['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-3-5-haiku-latest'])
    expect(lb.requests.map((r) => r.path)).toEqual(['/v1/models?limit=1000', '/v1/models?limit=1000&after_id=claude-sonnet-4-5'])
  })
})

describe('ModelCatalog', () => {
  it('refreshes at start, joins configured models, indexes owners and reports changes', async () => {
    const lb = await openAIServer(['gpt-4o-mini'])
    const changes: string[] = []
    const catalog = new ModelCatalog({ client: backendClient(), intervalMs: 60_000, onChange: (id, models) => changes.push(`${id}:${models.join(',')}`) })
    onCleanup(() => catalog.close())
    const rt = buildRuntime(
      config({ providers: [{ id: 'oa', kind: 'openai-compatible', baseUrl: `${lb.url}/v1`, apiKey: 'sk-test', models: ['my-finetune'] }] }),
      literalSecrets,
    )
    catalog.setTargets([...rt.providers.values()].map(catalogTargetOf))
    await until(() => catalog.statuses()[0]?.fetchedAt !== undefined)
    expect(catalog.models('oa')).toEqual(['my-finetune', 'gpt-4o-mini'])
    expect(catalog.providersFor('gpt-4o-mini')).toEqual(['oa'])
    expect(catalog.providersFor('my-finetune')).toEqual(['oa'])
    expect(catalog.allModels()).toEqual(['gpt-4o-mini', 'my-finetune'])
    expect(changes).toEqual(['oa:gpt-4o-mini'])
  })

  it('keeps the last good list when a refresh fails, and records the error', async () => {
    let up = true
    const lb = await loopback((_req, res) => (up ? json(res, 200, { data: [{ id: 'm1' }] }) : json(res, 500, { error: { message: 'boom' } })))
    const catalog = new ModelCatalog({ client: backendClient() })
    onCleanup(() => catalog.close())
    const target: CatalogTarget = { id: 'v', kind: 'vllm', baseUrl: `${lb.url}/v1`, headers: {}, configuredModels: [] }
    catalog.setTargets([target])
    await catalog.refresh('v')
    expect(catalog.models('v')).toEqual(['m1'])
    up = false
    await catalog.refresh('v')
    expect(catalog.models('v')).toEqual(['m1'])
    expect(catalog.statuses()[0]!.lastError?.message).toMatch(/500/)
    // A backend that is down entirely behaves the same.
    const port = await refusedPort()
    catalog.setTargets([{ ...target, id: 'gone', baseUrl: `http://127.0.0.1:${port}/v1` }, target])
    await catalog.refresh('gone')
    expect(catalog.models('gone')).toEqual([])
    expect(catalog.statuses().find((s) => s.providerId === 'gone')!.lastError?.message).toMatch(/refused/)
  })

  it('refetches on a config change and every interval; close() stops it', async () => {
    const a = await openAIServer(['from-a'])
    const b = await openAIServer(['from-b'])
    const catalog = new ModelCatalog({ client: backendClient(), intervalMs: 40 })
    const target = (url: string): CatalogTarget => ({ id: 'p', kind: 'openai-compatible', baseUrl: `${url}/v1`, headers: { authorization: 'Bearer sk-test' }, configuredModels: [] })
    catalog.setTargets([target(a.url)])
    await until(() => a.requests.length >= 3) // start + periodic refreshes
    catalog.setTargets([target(b.url)])
    await until(() => catalog.models('p').includes('from-b'))
    expect(catalog.models('p')).toEqual(['from-b'])
    await catalog.close()
    const seen = b.requests.length
    await new Promise((r) => setTimeout(r, 150))
    expect(b.requests.length).toBe(seen)
  })
})
