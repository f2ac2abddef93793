import { describe, expect, it, vi } from 'vitest'
import { countAnthropicInputTokens } from '../../../../src/main/gateway/admission/anthropicTokens'
import { ANTHROPIC_PING, startKeepAlive } from '../../../../src/main/gateway/dialects/anthropicMessages/keepAlive'
import { anthropicClientKey, validateAnthropicRequest } from '../../../../src/main/gateway/dialects/anthropicMessages/validate'
import { anthropicApiRoot, anthropicUpstreamHeaders } from '../../../../src/main/gateway/providers/kinds/anthropic/upstream'
import { GatewayError } from '../../../../src/main/gateway/common/errors'

describe('Anthropic ingress helpers', () => {
  it('takes the client key from x-api-key or Authorization: Bearer', () => {
    expect(anthropicClientKey({ 'x-api-key': 'sy-abc' })).toBe('sy-abc')
    expect(anthropicClientKey({ authorization: 'Bearer sy-def' })).toBe('sy-def')
    expect(anthropicClientKey({})).toBeUndefined()
  })

  it('validates what routing and translation need', () => {
    expect(() => validateAnthropicRequest({ messages: [] })).toThrow(GatewayError)
    expect(() => validateAnthropicRequest({ model: 'm', messages: [], max_tokens: 0 })).toThrow(/max_tokens/)
    expect(validateAnthropicRequest({ model: 'm', messages: [] }, { countTokens: true }).model).toBe('m')
  })

  it('builds upstream headers: default version, client beta forwarded, configured key wins, client credentials dropped', () => {
    const headers = anthropicUpstreamHeaders(
      { 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'x-api-key': 'client-key', authorization: 'Bearer client', 'user-agent': 'claude-cli/1.0' },
      { 'x-api-key': 'sk-ant-config' },
      'req_1',
    )
    expect(headers).toEqual({
      'content-type': 'application/json',
      'accept-encoding': 'identity',
      'x-request-id': 'req_1',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'interleaved-thinking-2025-05-14',
      'user-agent': 'claude-cli/1.0',
      'x-api-key': 'sk-ant-config',
    })
    expect(anthropicUpstreamHeaders({ 'anthropic-version': '2024-01-01' }, {}, 'r')['anthropic-version']).toBe('2024-01-01')
  })

  it('tolerates a /v1 on the configured API root', () => {
    expect(anthropicApiRoot('https://api.anthropic.com')).toEqual({ origin: 'https://api.anthropic.com', basePath: '' })
    expect(anthropicApiRoot('https://api.anthropic.com/v1/')).toEqual({ origin: 'https://api.anthropic.com', basePath: '' })
    expect(anthropicApiRoot('https://api.deepseek.com/anthropic')).toEqual({ origin: 'https://api.deepseek.com', basePath: '/anthropic' })
  })

  it('pings on an unref-ed interval until closed', () => {
    vi.useFakeTimers()
    try {
      const writes: string[] = []
      const ka = startKeepAlive((p) => writes.push(p), ANTHROPIC_PING, 1000)
      vi.advanceTimersByTime(3500)
      ka.close()
      vi.advanceTimersByTime(5000)
      expect(writes).toEqual([ANTHROPIC_PING, ANTHROPIC_PING, ANTHROPIC_PING])
      expect(ANTHROPIC_PING).toBe('event: ping\ndata: {"type": "ping"}\n\n')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('count_tokens estimate', () => {
  const base = { model: 'claude', messages: [{ role: 'user' as const, content: 'Hello, world' }] }

  it('counts message text with a little framing per message', () => {
    const n = countAnthropicInputTokens(base)
    expect(n).toBeGreaterThanOrEqual(5)
    expect(n).toBeLessThan(12)
  })

  it('grows with system prompt, tools, tool calls, results and images', () => {
    const small = countAnthropicInputTokens(base)
    const withSystem = countAnthropicInputTokens({ ...base, system: [{ type: 'text', text: 'You are a careful assistant. '.repeat(20) }] })
    expect(withSystem).toBeGreaterThan(small + 100)
    const withTools = countAnthropicInputTokens({ ...base, tools: [{ name: 'get_weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }] })
    expect(withTools).toBeGreaterThan(small + 10)
    const withImage = countAnthropicInputTokens({
      ...base,
      messages: [
        ...base.messages,
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'shot', input: { x: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }] },
      ],
    })
    expect(withImage).toBeGreaterThan(small + 1600)
  })

  it('does not choke on special-token text and stays fast on huge inputs', () => {
    expect(countAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: 'a <|endoftext|> b' }] })).toBeGreaterThan(3)
    const huge = 'lorem ipsum dolor sit amet '.repeat(200_000) // ~5.4 MB
    const started = performance.now()
    const n = countAnthropicInputTokens({ model: 'm', messages: [{ role: 'user', content: huge }] })
    expect(performance.now() - started).toBeLessThan(5000)
    expect(n).toBeGreaterThan(800_000)
    expect(n).toBeLessThan(1_400_000)
  })
})
