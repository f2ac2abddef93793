import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import { anthropicToOpenAIResponse, loadFixture, openAIToAnthropicResponse, type ResponseOptions } from './helpers'

interface Case {
  name: string
  options: ResponseOptions
  input: unknown
  expected: unknown
}
const fx = loadFixture<{ openaiToAnthropic: Case[]; anthropicToOpenAI: Case[] }>('responses.json')

describe('OpenAI chat.completion -> Anthropic message (golden)', () => {
  it.each(fx.openaiToAnthropic.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(openAIToAnthropicResponse(c.input, c.options)).toEqual(c.expected)
  })

  it('turns a body without choices into upstream_bad_response (502)', () => {
    expect(() => openAIToAnthropicResponse({ object: 'list' }, { model: 'm' })).toThrow(GatewayError)
  })
})

describe('Anthropic message -> OpenAI chat.completion (golden)', () => {
  it.each(fx.anthropicToOpenAI.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(anthropicToOpenAIResponse(c.input, c.options)).toEqual(c.expected)
  })

  it('turns a body without content into upstream_bad_response (502)', () => {
    let thrown: unknown
    try {
      anthropicToOpenAIResponse({ type: 'message' }, { model: 'm' })
    } catch (err) {
      thrown = err
    }
    expect((thrown as GatewayError).status).toBe(502)
  })
})
