// Who is calling, as the ledger records it: app key (created through the app API, presented as
// `Authorization: Bearer` or `x-api-key`), else X-Switchyard-App, else the User-Agent's product,
// else `unknown`. An unknown or revoked `sy-` key is a 401 in the caller's protocol and reaches no
// backend; any other client credential is ignored and never forwarded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, request } from '../../helpers/http'
import { ledgerRow } from './usageHelpers'

describe('usage ledger: app identity', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway
  let key: string

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'], apiKey: 'vllm-provider-key' },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, models: ['claude-sonnet-4-5'], apiKey: 'sk-ant-provider' },
      ],
    })
    key = (await gw.gateway.api.createApp({ name: 'Cursor' })).key
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([vllm?.close(), claude?.close()])
  })

  const chat = { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] }
  const message = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }
  const appOf = async (headers: Record<string, string>, path = '/v1/chat/completions', body: object = chat): Promise<string> => {
    const res = await postJson(gw.url, path, body, headers)
    expect(res.status, res.text).toBe(200)
    return (await ledgerRow(gw.gateway, res.headers['x-request-id'])).app
  }

  it('an app key as Authorization: Bearer names the app (and wins over the other signals); it is not forwarded', async () => {
    expect(key).toMatch(/^sy-/)
    expect(await appOf({ authorization: `Bearer ${key}`, 'x-switchyard-app': 'other', 'user-agent': 'curl/8.5.0' })).toBe('Cursor')
    expect(vllm.requests.at(-1)!.headers.authorization).toBe('Bearer vllm-provider-key')
    expect(JSON.stringify(vllm.requests.at(-1)!.headers)).not.toContain(key)
  })

  it('an app key as x-api-key (Anthropic SDKs) names the app; the upstream gets the provider key', async () => {
    expect(await appOf({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }, '/v1/messages', message)).toBe('Cursor')
    expect(claude.last().headers['x-api-key']).toBe('sk-ant-provider')
  })

  it('X-Switchyard-App, else the User-Agent product, else unknown', async () => {
    expect(await appOf({ 'x-switchyard-app': 'nightly-eval', 'user-agent': 'curl/8.5.0' })).toBe('nightly-eval')
    expect(await appOf({ 'user-agent': 'OpenAI/Python 1.40.0' })).toBe('OpenAI/Python')
    expect(await appOf({ 'user-agent': 'claude-cli/1.0.3 (external, cli)' })).toBe('claude-cli')
    expect(await appOf({})).toBe('unknown')
  })

  it('a client key that is not an app key is ignored for identity and never forwarded', async () => {
    expect(await appOf({ authorization: 'Bearer sk-some-client-key', 'user-agent': 'aider/0.60' })).toBe('aider')
    expect(JSON.stringify(vllm.requests.at(-1)!.headers)).not.toContain('sk-some-client-key')
  })

  it('an unknown sy- key is a 401 in the caller\'s protocol and reaches no backend', async () => {
    const before = vllm.requests.length + claude.requests.length
    const bogus = `sy-${'A'.repeat(32)}`
    const openai = await postJson(gw.url, '/v1/chat/completions', chat, { authorization: `Bearer ${bogus}` })
    expect(openai.status).toBe(401)
    expect(openai.json()).toMatchObject({ error: { message: expect.stringMatching(/app key/) } })
    const anthropic = await postJson(gw.url, '/v1/messages', message, { 'x-api-key': bogus, 'anthropic-version': '2023-06-01' })
    expect(anthropic.status).toBe(401)
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const malformed = await postJson(gw.url, '/v1/chat/completions', chat, { authorization: 'Bearer sy-short' })
    expect(malformed.status).toBe(401)
    expect(vllm.requests.length + claude.requests.length).toBe(before)
  })

  it('a revoked key is refused from then on (both protocols)', async () => {
    const { key: temp } = await gw.gateway.api.createApp({ name: 'temp-app' })
    expect(await appOf({ authorization: `Bearer ${temp}` })).toBe('temp-app')
    await gw.gateway.api.revokeApp({ name: 'temp-app' })
    expect((await postJson(gw.url, '/v1/chat/completions', chat, { authorization: `Bearer ${temp}` })).status).toBe(401)
    const anthropic = await postJson(gw.url, '/v1/messages', message, { authorization: `Bearer ${temp}`, 'anthropic-version': '2023-06-01' })
    expect(anthropic.status).toBe(401)
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
  })

  it('usage groups by app', async () => {
    const { rows } = await gw.gateway.api.getUsage({ groupBy: 'app' })
    const apps = rows.map((r) => r.app)
    for (const app of ['Cursor', 'nightly-eval', 'OpenAI/Python', 'claude-cli', 'unknown', 'aider', 'temp-app']) expect(apps).toContain(app)
    expect(rows.find((r) => r.app === 'Cursor')!.requests).toBe(2)
  })
})

describe('a gateway that requires app keys (server.requireAppKey)', () => {
  let vllm: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      server: { requireAppKey: true },
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, models: ['claude-sonnet-4-5'], apiKey: 'sk-ant-provider' },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([vllm?.close(), claude?.close()])
  })

  const anthropicHeaders = { 'anthropic-version': '2023-06-01' }
  const count = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me' }] }

  it('refuses unkeyed callers on every model endpoint, count_tokens included, before any backend is reached', async () => {
    const chat = await postJson(gw.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] })
    expect(chat.status).toBe(401)
    expect(chat.json()).toMatchObject({ error: { message: expect.stringMatching(/requires an app key/) } })
    // count_tokens on an Anthropic route would otherwise spend the configured provider key.
    const counted = await postJson(gw.url, '/v1/messages/count_tokens', count, { ...anthropicHeaders, 'x-api-key': 'sk-ant-some-client-key' })
    expect(counted.status).toBe(401)
    expect(counted.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    expect(vllm.requests.length + claude.requests.length).toBe(0)
  })

  it('refuses unkeyed callers on the model list and a model lookup too, in the caller\'s shape', async () => {
    for (const path of ['/v1/models', '/models', '/v1/models/qwen2.5-7b']) {
      const openai = await request(gw.url, { path, headers: { authorization: 'Bearer sk-some-client-key' } })
      expect(openai.status, path).toBe(401)
      expect(openai.json(), path).toMatchObject({ error: { message: expect.stringMatching(/requires an app key/) } })
      expect(openai.text).not.toContain('qwen2.5-7b"')
      const anthropic = await request(gw.url, { path, headers: anthropicHeaders })
      expect(anthropic.status, path).toBe(401)
      expect(anthropic.json(), path).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    }
    const revoked = `sy-${'B'.repeat(32)}`
    expect((await request(gw.url, { path: '/v1/models', headers: { authorization: `Bearer ${revoked}` } })).status).toBe(401)
  })

  it('lists and looks up models for a caller with an app key', async () => {
    const { key } = await gw.gateway.api.createApp({ name: 'model-lister' })
    const list = await request(gw.url, { path: '/v1/models', headers: { authorization: `Bearer ${key}` } })
    expect(list.status, list.text).toBe(200)
    expect(list.json<{ data: Array<{ id: string }> }>().data.map((m) => m.id)).toEqual(['claude-sonnet-4-5', 'qwen2.5-7b'])
    const one = await request(gw.url, { path: '/v1/models/qwen2.5-7b', headers: { 'x-api-key': key, ...anthropicHeaders } })
    expect(one.status, one.text).toBe(200)
    expect(one.json()).toMatchObject({ type: 'model', id: 'qwen2.5-7b' })
  })

  it('serves the same requests with an app key', async () => {
    const { key } = await gw.gateway.api.createApp({ name: 'Claude Code' })
    const counted = await postJson(gw.url, '/v1/messages/count_tokens', count, { ...anthropicHeaders, 'x-api-key': key })
    expect(counted.status, counted.text).toBe(200)
    const upstream = claude.requests.at(-1)!
    expect(upstream.path).toBe('/v1/messages/count_tokens')
    expect(upstream.headers['x-api-key']).toBe('sk-ant-provider')
  })
})
