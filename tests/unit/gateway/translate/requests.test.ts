import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import type { AnthropicRequest } from '../../../../src/main/gateway/dialects/anthropicMessages/wire'
import type { OpenAIRequest } from '../../../../src/main/gateway/dialects/openaiChat/wire'
import { anthropicToOpenAIRequest, loadFixture, openAIToAnthropicRequest } from './helpers'

interface Case<I> {
  name: string
  options?: Record<string, unknown>
  input: I
  expected: unknown
}

describe('Anthropic Messages request -> OpenAI chat request (golden)', () => {
  const cases = loadFixture<Array<Case<AnthropicRequest>>>('requests-anthropic-to-openai.json')
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = structuredClone(c.input)
    expect(anthropicToOpenAIRequest(input, c.options)).toEqual(c.expected)
    expect(input).toEqual(c.input) // pure: the client's body is not modified
  })

  it('rejects a body whose messages are not an array, or a message with an unknown role', () => {
    expect(() => anthropicToOpenAIRequest({ model: 'm', messages: 'hi' } as never)).toThrow(GatewayError)
    expect(() => anthropicToOpenAIRequest({ model: 'm', messages: [{ role: 'tool', content: 'x' }] } as never)).toThrow(/role/)
  })
})

describe('OpenAI chat request -> Anthropic Messages request (golden)', () => {
  const { cases, errors } = loadFixture<{ cases: Array<Case<OpenAIRequest>>; errors: Array<{ name: string; input: OpenAIRequest; param: string }> }>(
    'requests-openai-to-anthropic.json',
  )
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = structuredClone(c.input)
    expect(openAIToAnthropicRequest(input, c.options)).toEqual(c.expected)
    expect(input).toEqual(c.input)
  })

  it.each(errors.map((c) => [c.name, c] as const))('rejects clearly: %s', (_name, c) => {
    let thrown: unknown
    try {
      openAIToAnthropicRequest(c.input)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(GatewayError)
    expect((thrown as GatewayError).status).toBe(400)
    expect((thrown as GatewayError).param).toBe(c.param)
  })
})

describe('a tool round trip through both request mappers', () => {
  it('keeps ids, names and arguments when a conversation crosses protocols twice', () => {
    const anthropic: AnthropicRequest = {
      model: 'claude',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
      ],
    }
    const back = openAIToAnthropicRequest(anthropicToOpenAIRequest(anthropic))
    expect(back.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ])
  })
})
