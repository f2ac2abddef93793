// Upstreams echo secrets in their error answers ("Incorrect API key provided: sk-..."). Whatever
// the path — an error status passed through or translated, an error as a stream's first event, an
// error event in a translated stream — the provider's own key, secret header values and base-URL
// password never reach the client, the provider's health (the dashboard) or a log line.
import type http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, envSecrets, type TestGateway } from '../../helpers/gateway'
import { postJson } from '../../helpers/http'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { REDACTED } from '../../../src/main/gateway/common/secretScrubber'

const KEY = 'sk-proj-echoed-provider-key-31337'
const HEADER_SECRET = 'AIzaSy-echoed-header-secret-4242'
const ENV_HEADER_SECRET = 'env-resolved-header-secret-9001'
const PASSWORD = 'echoed-url-pass-7777'
const ANTHROPIC_KEY = 'sk-ant-echoed-anthropic-key-2718'
const SECRETS = [KEY, HEADER_SECRET, ENV_HEADER_SECRET, PASSWORD, ANTHROPIC_KEY, encodeURIComponent(`${KEY}/x`)]

/** Answers like a cloud API that quotes what it was sent: the key, a header, the URL it thinks it was called at. */
function echoingError(req: http.IncomingMessage, res: http.ServerResponse): void {
  const message = `Incorrect API key provided: ${String(req.headers.authorization)}; x-goog-api-key=${String(req.headers['x-goog-api-key'])}; x-team-token="${String(req.headers['x-team-token'])}"; called https://svc:${PASSWORD}@api.example.com/v1?key=${encodeURIComponent(KEY)}`
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key', param: null } })
  res.writeHead(401, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body)
}

/** HTTP 200, then the failure as the stream's first event (quoting the key). */
function errorAsFirstEvent(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.end(`data: ${JSON.stringify({ error: { message: `upstream rejected ${String(req.headers.authorization)}`, type: 'server_error', code: 500 } })}\n\n`)
}

describe('secrets echoed by an upstream are scrubbed from what the gateway relays', () => {
  let echo: MockBackend
  let firstEvent: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway

  beforeAll(async () => {
    echo = await startMockBackend({ flavor: 'openai', models: ['echo-model'] })
    echo.behavior.custom = echoingError
    firstEvent = await startMockBackend({ flavor: 'vllm', models: ['sniffed-model'] })
    firstEvent.behavior.custom = errorAsFirstEvent
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway(
      {
        providers: [
          {
            id: 'echo',
            kind: 'openai-compatible',
            baseUrl: echo.baseUrl.replace('http://', `http://svc:${PASSWORD}@`),
            apiKey: KEY,
            models: ['echo-model'],
            headers: { 'x-goog-api-key': HEADER_SECRET, 'x-team-token': 'env:TEAM_TOKEN' },
          },
          { id: 'first-event', kind: 'vllm', baseUrl: firstEvent.baseUrl, apiKey: KEY, models: ['sniffed-model'] },
          // Nothing listens on port 9: the fallback that makes the first candidate's stream sniffed.
          { id: 'refused', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: ['sniffed-model'] },
          { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, apiKey: ANTHROPIC_KEY, models: ['claude-sonnet-4-5'] },
        ],
        routes: [{ model: 'sniffed', targets: [{ provider: 'first-event', model: 'sniffed-model' }, { provider: 'refused', model: 'sniffed-model' }] }],
      },
      { secrets: envSecrets({ TEAM_TOKEN: ENV_HEADER_SECRET }) },
    )
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([echo?.close(), firstEvent?.close(), claude?.close()])
  })

  const noSecrets = (text: string, where: string) => {
    for (const secret of SECRETS) expect(text, where).not.toContain(secret)
  }
  const chat = (model: string, stream = false) => ({ model, stream, messages: [{ role: 'user', content: 'hi' }] })

  it('an OpenAI client gets the 401 body without the key, header values or URL password (status and shape kept)', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('echo-model'))
    expect(res.status).toBe(401)
    noSecrets(res.text, 'openai body')
    // The echo really carried them: the provider received the resolved values (env: header included).
    expect(echo.requests.at(-1)!.headers['x-team-token']).toBe(ENV_HEADER_SECRET)
    const body = res.json<{ error: { message: string; code: string } }>()
    expect(body.error.code).toBe('invalid_api_key')
    expect(body.error.message).toContain(`Incorrect API key provided: Bearer ${REDACTED}`)
    expect(body.error.message).toContain(`x-team-token="${REDACTED}"`)
    expect(body.error.message).toContain(`svc:${REDACTED}@api.example.com`)
  })

  it('an Anthropic client (translated to the OpenAI-compatible upstream) gets the error in its shape, scrubbed', async () => {
    const res = await postJson(gw.url, '/v1/messages', { model: 'echo-model', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
    expect(res.status).toBe(401)
    noSecrets(res.text, 'anthropic body')
    expect(res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining(REDACTED) } })
  })

  it('an Anthropic upstream quoting its key in a 401 is scrubbed for Anthropic clients (passthrough) and OpenAI clients (translated)', async () => {
    claude.behavior.errorStatus = 401
    claude.behavior.errorMessage = `invalid x-api-key: ${ANTHROPIC_KEY}`
    try {
      const passthrough = await postJson(gw.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      expect(passthrough.status).toBe(401)
      noSecrets(passthrough.text, 'anthropic passthrough')
      expect(passthrough.text).toContain(REDACTED)
      const translated = await postJson(gw.url, '/v1/chat/completions', chat('claude-sonnet-4-5'))
      expect(translated.status).toBe(401)
      noSecrets(translated.text, 'openai from anthropic')
      expect(translated.text).toContain(REDACTED)
    } finally {
      claude.behavior.errorStatus = undefined
      claude.behavior.errorMessage = undefined
    }
  })

  it('an error event in a translated stream is scrubbed', async () => {
    claude.behavior.midStreamError = { afterEvents: 2, type: 'authentication_error', message: `key ${ANTHROPIC_KEY} was revoked` }
    try {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('claude-sonnet-4-5', true))
      expect(res.status).toBe(200)
      expect(res.text).toContain('"error"')
      noSecrets(res.text, 'translated stream')
      expect(res.text).toContain(REDACTED)
    } finally {
      claude.behavior.midStreamError = undefined
    }
  })

  it('an error as the first stream event (held back for failover) reaches neither the provider health shown in the dashboard nor the client (nor a log) with the key', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', chat('sniffed', true))
    expect(firstEvent.requests.length).toBeGreaterThan(0)
    noSecrets(res.text, 'sniffed stream answer')
    const { items } = await gw.gateway.api.listProviders(undefined)
    const health = items.find((p) => p.id === 'first-event')!.health
    expect(health?.lastError?.message).toContain(REDACTED)
    noSecrets(JSON.stringify(items), 'provider list')
    // Nor does any log line of this whole file (a guard: upstream text must not start being logged raw).
    expect(gw.logs.length).toBeGreaterThan(0)
    noSecrets(gw.logs.join('\n'), 'logs')
  })
})
