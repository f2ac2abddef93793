// Provider secrets through the admin API (web bridge) and the app API the desktop IPC calls:
// header values and a base-URL password are never shown, and the dashboard's round trip (read the
// masked config, change something, send it back) keeps every real value on disk and on the wire.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { startHeadless, type HeadlessHandle } from '../../../src/main/headless/startHeadless'
import { SECRET_MASK } from '../../../src/shared/config'
import { postJson, request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'

const GOOG = 'AIzaSy-literal-header-secret-5150'
const FROM_ENV = 'team-token-from-env-8080'
const PASSWORD = 'baseurl-pass-4711'
const KEY = 'sk-literal-provider-key-2600'
const SECRETS = [GOOG, FROM_ENV, PASSWORD, KEY]

describe('admin API: provider header values and base-URL passwords are secrets', () => {
  let dir: string
  let configFile: string
  let mock: MockBackend
  let h: HeadlessHandle
  const auth = { authorization: 'Bearer admin-secrets-token-0123456789' }
  const onDisk = () => JSON.parse(fs.readFileSync(configFile, 'utf8')) as { providers: Array<{ id: string; baseUrl: string; apiKey?: string; headers?: Record<string, string> }> }

  beforeAll(async () => {
    process.env.SY_TEST_HEADER_TOKEN = FROM_ENV
    mock = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-admin-secrets-'))
    configFile = path.join(dir, 'switchyard.json')
    const baseUrl = mock.baseUrl.replace('http://', `http://svc:${PASSWORD}@`)
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          {
            id: 'gem',
            kind: 'openai-compatible',
            baseUrl,
            apiKey: KEY,
            models: ['qwen2.5-7b'],
            headers: { 'x-goog-api-key': GOOG, 'x-team-token': 'env:SY_TEST_HEADER_TOKEN', 'x-title': 'Switchyard tests' },
          },
        ],
      }),
    )
    h = await startHeadless({ dataDir: dir, configFile, port: 0, host: '127.0.0.1', adminToken: auth.authorization.slice(7), uiDir: path.join(dir, 'no-ui'), logger: silentLogger() })
  })
  afterAll(async () => {
    await h?.close(0)
    await mock?.close()
    delete process.env.SY_TEST_HEADER_TOKEN
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const noSecrets = (text: string) => {
    for (const secret of SECRETS) expect(text).not.toContain(secret)
  }

  it('GET /admin/api/config masks secret header values and the base-URL password; plain headers and env: references stay', async () => {
    const res = await request(h.url, { path: '/admin/api/config', headers: auth })
    expect(res.status).toBe(200)
    noSecrets(res.text)
    const [p] = res.json<{ providers: Array<{ baseUrl: string; apiKey: string; headers: Record<string, string> }> }>().providers
    expect(p!.apiKey).toBe(SECRET_MASK)
    expect(p!.headers).toEqual({ 'x-goog-api-key': SECRET_MASK, 'x-team-token': 'env:SY_TEST_HEADER_TOKEN', 'x-title': 'Switchyard tests' })
    expect(p!.baseUrl).toBe(mock.baseUrl.replace('http://', `http://svc:${SECRET_MASK}@`))
  })

  it('the provider list and the app API (what desktop IPC calls) show no secret either', async () => {
    const list = await request(h.url, { path: '/admin/api/providers', headers: auth })
    expect(list.status).toBe(200)
    noSecrets(list.text)
    expect(list.json<{ items: Array<{ baseUrl: string }> }>().items[0]!.baseUrl).toContain(`svc:${SECRET_MASK}@`)
    noSecrets(JSON.stringify(await h.gateway.api.getConfig(undefined)))
    noSecrets(JSON.stringify(await h.gateway.api.listProviders(undefined)))
  })

  it('the provider receives the real values: literal header, env: header resolved, the key', async () => {
    const res = await postJson(h.url, '/v1/chat/completions', { model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status, res.text).toBe(200)
    const sent = mock.requests.at(-1)!.headers
    expect(sent['x-goog-api-key']).toBe(GOOG)
    expect(sent['x-team-token']).toBe(FROM_ENV)
    expect(sent.authorization).toBe(`Bearer ${KEY}`)
  })

  it('PUT of the masked config (the dashboard round trip) keeps every real value and answers masked', async () => {
    const current = (await request(h.url, { path: '/admin/api/config', headers: auth })).json<Record<string, unknown>>()
    const res = await request(h.url, { method: 'PUT', path: '/admin/api/config', headers: auth, body: { ...current, routes: [{ model: 'local', targets: [{ provider: 'gem', model: 'qwen2.5-7b' }] }] } })
    expect(res.status, res.text).toBe(200)
    noSecrets(res.text)
    const [p] = onDisk().providers
    expect(p!.headers).toEqual({ 'x-goog-api-key': GOOG, 'x-team-token': 'env:SY_TEST_HEADER_TOKEN', 'x-title': 'Switchyard tests' })
    expect(p!.baseUrl).toBe(mock.baseUrl.replace('http://', `http://svc:${PASSWORD}@`))
    expect(p!.apiKey).toBe(KEY)
    expect(fs.readFileSync(configFile, 'utf8')).not.toContain(SECRET_MASK)
    await postJson(h.url, '/v1/chat/completions', { model: 'local', messages: [{ role: 'user', content: 'hi' }] })
    expect(mock.requests.at(-1)!.headers['x-goog-api-key']).toBe(GOOG)
  })

  it('PUT /admin/api/providers/:id with the masked provider (the edit form) keeps them too, and takes a newly typed value', async () => {
    const current = (await request(h.url, { path: '/admin/api/config', headers: auth })).json<{ providers: Array<Record<string, unknown> & { headers: Record<string, string> }> }>()
    const edited = { ...current.providers[0]!, weight: 3, headers: { ...current.providers[0]!.headers, 'x-extra-secret': 'typed-in-secret-value-31' } }
    const res = await request(h.url, { method: 'PUT', path: '/admin/api/providers/gem', headers: auth, body: edited })
    expect(res.status, res.text).toBe(200)
    noSecrets(res.text)
    expect(res.text).not.toContain('typed-in-secret-value-31')
    const [p] = onDisk().providers
    expect(p).toMatchObject({ weight: 3, apiKey: KEY, baseUrl: mock.baseUrl.replace('http://', `http://svc:${PASSWORD}@`) })
    expect(p!.headers).toEqual({ 'x-goog-api-key': GOOG, 'x-team-token': 'env:SY_TEST_HEADER_TOKEN', 'x-title': 'Switchyard tests', 'x-extra-secret': 'typed-in-secret-value-31' })
    const again = await request(h.url, { path: '/admin/api/config', headers: auth })
    expect(again.text).not.toContain('typed-in-secret-value-31')
  })
})
