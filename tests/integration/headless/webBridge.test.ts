import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHeadless, type HeadlessHandle } from '../../../src/main/headless/startHeadless'
import { silentLogger } from '../../../src/main/gateway/common/log'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { postJson, request } from '../../helpers/http'

describe('headless host: config file, web bridge and admin auth', () => {
  let dir: string
  let configFile: string
  let mock: MockBackend
  let h: HeadlessHandle
  const token = 'test-admin-token-0123456789'
  const auth = { authorization: `Bearer ${token}` }

  beforeAll(async () => {
    mock = await startMockBackend({ flavor: 'vllm', models: ['qwen2.5-7b'] })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-headless-'))
    configFile = path.join(dir, 'switchyard.json')
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          { id: 'vllm-a', kind: 'vllm', baseUrl: mock.baseUrl, models: ['qwen2.5-7b'], apiKey: 'literal-secret-key' },
          { id: 'cloud', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'env:SY_TEST_KEY' },
        ],
      }),
    )
    h = await startHeadless({ dataDir: dir, configFile, port: 0, host: '127.0.0.1', adminToken: token, uiDir: path.join(dir, 'no-ui'), logger: silentLogger() })
  })
  afterAll(async () => {
    await h.close(0)
    await mock.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('prints a dashboard link carrying the token', () => {
    expect(h.dashboardUrl).toBe(`${h.url}/ui/#token=${token}`)
  })

  it('rejects admin calls without the right token with 401', async () => {
    expect((await request(h.url, { path: '/admin/api/config' })).status).toBe(401)
    expect((await request(h.url, { path: '/admin/api/config', headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await request(h.url, { path: '/admin/api/stats/stream' })).status).toBe(401)
  })

  it('masks literal keys in the config it returns and keeps env references', async () => {
    const res = await request(h.url, { path: '/admin/api/config', headers: auth })
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('literal-secret-key')
    const providers = res.json<{ providers: Array<{ apiKey?: string }> }>().providers
    expect(providers.map((p) => p.apiKey)).toEqual(['********', 'env:SY_TEST_KEY'])
  })

  it('lists providers with keySet and never the key', async () => {
    const res = await request(h.url, { path: '/admin/api/providers', headers: auth })
    const items = res.json<{ items: Array<{ id: string; keySet: boolean }> }>().items
    expect(items.map((p) => [p.id, p.keySet])).toEqual([['vllm-a', true], ['cloud', true]])
    expect(res.text).not.toContain('literal-secret-key')
  })

  it('rejects an invalid config with 400 and a field-level message', async () => {
    const res = await request(h.url, { method: 'PUT', path: '/admin/api/config', headers: auth, body: { providers: [{ id: 'x', kind: 'vllm', baseUrl: 'not a url' }] } })
    expect(res.status).toBe(400)
    expect(res.json<{ error: { message: string } }>().error.message).toContain('providers[0].baseUrl')
  })

  it('writes admin changes back to the --config file, keeping env references and the stored key', async () => {
    const current = (await request(h.url, { path: '/admin/api/config', headers: auth })).json<Record<string, unknown>>()
    const res = await request(h.url, { method: 'PUT', path: '/admin/api/config', headers: auth, body: { ...current, routes: [{ model: 'local', targets: [{ provider: 'vllm-a' }] }] } })
    expect(res.status).toBe(200)
    const onDisk = JSON.parse(fs.readFileSync(configFile, 'utf8'))
    expect(onDisk.routes[0].model).toBe('local')
    expect(onDisk.providers[0].apiKey).toBe('literal-secret-key')
    expect(onDisk.providers[1].apiKey).toBe('env:SY_TEST_KEY')
    const routed = await postJson(h.url, '/v1/chat/completions', { model: 'local', messages: [] })
    expect(mock.requests.at(-1)!.body!.model).toBe('local')
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer literal-secret-key')
    expect(routed.status).toBe(404) // the mock does not serve "local": the route target names no model
  })

  it('switches the active provider (404 for an unknown id) and routes the next request there', async () => {
    const unknown = await request(h.url, { method: 'POST', path: '/admin/api/active-provider', headers: auth, body: { id: 'ghost' } })
    expect(unknown.status).toBe(404)
    const bad = await request(h.url, { method: 'POST', path: '/admin/api/active-provider', headers: auth, body: { nope: 1 } })
    expect(bad.status).toBe(400)
    const ok = await request(h.url, { method: 'POST', path: '/admin/api/active-provider', headers: auth, body: { id: 'vllm-a' } })
    expect(ok.status).toBe(200)
    expect(ok.json<{ activeProvider: string; state: string }>()).toMatchObject({ activeProvider: 'vllm-a', state: 'listening' })
    mock.behavior.custom = undefined
    await postJson(h.url, '/v1/chat/completions', { model: 'some-unlisted-model', messages: [] })
    expect(mock.requests.at(-1)!.body!.model).toBe('some-unlisted-model')
  })

  it('applies a hand edit of the config file live', async () => {
    const doc = JSON.parse(fs.readFileSync(configFile, 'utf8'))
    doc.providers[0].models = ['qwen2.5-7b', 'hand-added']
    fs.writeFileSync(configFile, JSON.stringify(doc))
    const until = Date.now() + 9000
    let ids: string[] = []
    while (Date.now() < until) {
      ids = (await request(h.url, { path: '/v1/models' })).json<{ data: Array<{ id: string }> }>().data.map((m) => m.id)
      if (ids.includes('hand-added')) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(ids).toContain('hand-added')
  }, 15_000)

  it('streams stats over SSE', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${h.url}/admin/api/events`, { headers: auth }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream')
        let data = ''
        res.on('data', (c: Buffer) => {
          data += c.toString()
          if (data.includes('event: stats')) {
            req.destroy()
            resolve(data)
          }
        })
      })
      req.on('error', reject)
      setTimeout(() => reject(new Error('no stats event in 3 s')), 3000)
    })
    const line = text.split('\n').find((l) => l.startsWith('data: '))!
    expect(JSON.parse(line.slice(6))).toHaveProperty('requestsTotal')
  })

  it('serves a clear 404 for the dashboard when it is not built', async () => {
    const res = await request(h.url, { path: '/ui/' })
    expect(res.status).toBe(404)
    expect(res.text).toContain('npm run build')
    expect((await request(h.url, { path: '/ui/../../etc/passwd' })).status).toBe(404)
  })
})
