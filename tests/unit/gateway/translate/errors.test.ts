import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import { anthropicErrorBody, anthropicStreamError, sendAnthropicError } from '../../../../src/main/gateway/dialects/anthropicMessages/clientErrors'
import { anthropicErrorType } from '../../../../src/main/gateway/dialects/anthropicMessages/errors'
import type { AnthropicErrorBody } from '../../../../src/main/gateway/dialects/anthropicMessages/wire'
import type { OpenAIErrorBody } from '../../../../src/main/gateway/dialects/openaiChat/wire'
import { translateError } from '../../../../src/main/gateway/dialects/translate'
import { translateErrorResponse } from '../../../../src/main/gateway/dialects/translation'

const toAnthropicErrorBody = (body: unknown, status?: number) => translateError('anthropic-messages', body, status).body as AnthropicErrorBody
const toOpenAIErrorBody = (body: unknown, status?: number) => translateError('openai-chat', body, status).body as OpenAIErrorBody

describe('Anthropic error types by status', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('%i -> %s', (status, type) => expect(anthropicErrorType(status)).toBe(type))

  it('renders every gateway error code in Anthropic shape', () => {
    expect(anthropicErrorBody(new GatewayError('model_not_found', 'no model "x"'), 'req_1')).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'no model "x"' },
      request_id: 'req_1',
    })
    expect(anthropicErrorBody(new GatewayError('body_too_large', 'too big')).error.type).toBe('request_too_large')
    expect(anthropicErrorBody(new GatewayError('queue_full', 'busy', { retryAfterSec: 2 })).error.type).toBe('overloaded_error')
    expect(anthropicStreamError(new GatewayError('upstream_timeout', 'slow'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"timeout_error","message":"slow"}}\n\n',
    )
  })
})

describe('upstream error bodies across protocols', () => {
  it('OpenAI-shaped -> Anthropic, keeping a type Anthropic knows', () => {
    expect(toAnthropicErrorBody({ error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } }, 429)).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Rate limit reached' },
    })
    expect(toAnthropicErrorBody({ error: { message: 'bad', type: 'server_error' } }, 500).error.type).toBe('api_error')
  })

  it('the shapes local servers use -> Anthropic', () => {
    expect(toAnthropicErrorBody('{"error":"model \\"llama9\\" not found, try pulling it first"}', 404)).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'model "llama9" not found, try pulling it first' },
    })
    expect(toAnthropicErrorBody(Buffer.from('{"object":"error","message":"max_tokens is too large","type":"BadRequestError","code":400}'), 400).error).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens is too large',
    })
    expect(toAnthropicErrorBody('<html>bad gateway</html>', 502).error).toEqual({ type: 'api_error', message: 'upstream answered 502' })
  })

  it('Anthropic-shaped -> OpenAI, with the Anthropic type as code and 529 as 503', () => {
    const anthropic = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_x' }
    expect(toOpenAIErrorBody(anthropic, 529)).toEqual({ error: { message: 'Overloaded', type: 'api_error', code: 'overloaded_error', param: null } })
    const translated = translateErrorResponse('openai', 529, Buffer.from(JSON.stringify(anthropic)))
    expect(translated.status).toBe(503)
    expect(JSON.parse(translated.body.toString())).toEqual({ error: { message: 'Overloaded', type: 'api_error', code: 'overloaded_error', param: null } })
    const invalid = { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } }
    expect(toOpenAIErrorBody(invalid, 400).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request_error' })
  })

  it('an upstream error for an Anthropic client keeps its status', () => {
    const t = translateErrorResponse('anthropic', 401, Buffer.from('{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}'))
    expect(t.status).toBe(401)
    expect(JSON.parse(t.body.toString())).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'Incorrect API key provided' } })
  })
})

describe('sendAnthropicError over a real socket', () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((_req, res) => sendAnthropicError(res, new GatewayError('rate_limited', 'limit wait timed out', { retryAfterSec: 2.2 }), 'req_abc'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('sends status, Retry-After, request-id and the Anthropic body', async () => {
    const res = await fetch(url)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(res.headers.get('request-id')).toBe('req_abc')
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'limit wait timed out' }, request_id: 'req_abc' })
  })
})
