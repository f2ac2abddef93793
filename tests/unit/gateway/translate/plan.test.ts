import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/main/gateway/common/errors'
import {
  chooseTranslation,
  createStreamTranslator,
  prepareTranslatedRequest,
  translateResponseBody,
  translationLabel,
  type TranslationPair,
} from '../../../../src/main/gateway/dialects/translation'
import { spokenDialects } from '../../../../src/main/gateway/providers/providerRuntime'
import { readEvents } from './helpers'

const ANTHROPIC_TO_OPENAI: TranslationPair = { client: 'anthropic-messages', upstream: 'openai-chat' }
const OPENAI_TO_ANTHROPIC: TranslationPair = { client: 'openai-chat', upstream: 'anthropic-messages' }

describe('translate-or-passthrough decision', () => {
  it.each([
    ['openai', 'openai-compatible', 'passthrough'],
    ['openai', 'vllm', 'passthrough'],
    ['openai', 'ollama', 'passthrough'],
    ['openai', 'anthropic', 'openai-to-anthropic'],
    ['anthropic', 'anthropic', 'passthrough'],
    ['anthropic', 'vllm', 'anthropic-to-openai'],
    ['anthropic', 'ollama', 'anthropic-to-openai'],
    ['anthropic', 'openai-compatible', 'anthropic-to-openai'],
  ] as const)('%s client, %s provider -> %s', (client, kind, expected) => {
    expect(translationLabel(chooseTranslation(client, spokenDialects({ kind, baseUrl: 'http://127.0.0.1:8000/v1' })))).toBe(expected)
  })
})

describe('per-request glue', () => {
  it('prepares an Anthropic request for an OpenAI upstream and answers in Anthropic shape with the client model name', () => {
    const prepared = prepareTranslatedRequest(
      ANTHROPIC_TO_OPENAI,
      { model: 'claude-sonnet-4-5', max_tokens: 64, stop_sequences: ['END'], messages: [{ role: 'user', content: 'hi' }] },
      { upstreamModel: 'qwen2.5-7b' },
    )
    expect(prepared.path).toBe('/chat/completions')
    expect(JSON.parse(prepared.body.toString())).toEqual({ model: 'qwen2.5-7b', max_tokens: 64, stop: ['END'], messages: [{ role: 'user', content: 'hi' }] })
    expect(prepared.client).toEqual({ model: 'claude-sonnet-4-5', stream: false, includeUsage: false, stopSequences: ['END'] })
    const upstream = { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } }
    const body = JSON.parse(translateResponseBody(ANTHROPIC_TO_OPENAI, Buffer.from(JSON.stringify(upstream)), prepared.client).toString())
    expect(body).toMatchObject({ id: 'msg_1', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn' })
  })

  it('prepares an OpenAI request for Anthropic, remembering include_usage for the stream', () => {
    const prepared = prepareTranslatedRequest(
      OPENAI_TO_ANTHROPIC,
      { model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] },
      { upstreamModel: 'claude-sonnet-4-5', defaultMaxTokens: 1234 },
    )
    expect(prepared.path).toBe('/v1/messages')
    expect(JSON.parse(prepared.body.toString())).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1234, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })
    expect(prepared.client).toEqual({ model: 'gpt-4o', stream: true, includeUsage: true })
    const t = createStreamTranslator(OPENAI_TO_ANTHROPIC, prepared.client, { created: 1 })
    const out =
      t.push(Buffer.from('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_a","usage":{"input_tokens":4,"output_tokens":1}}}\n\n')) +
      t.push(Buffer.from('event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n')) +
      t.end()
    const events = readEvents(out)
    expect(events.at(-2)!.data).toMatchObject({ model: 'gpt-4o', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } })
    expect(events.at(-1)!.data).toBe('[DONE]')
  })

  it('rejects a body without a model, and upstream garbage becomes 502', () => {
    expect(() => prepareTranslatedRequest(OPENAI_TO_ANTHROPIC, { messages: [] }, { upstreamModel: 'x' })).toThrow(GatewayError)
    let thrown: unknown
    try {
      translateResponseBody(OPENAI_TO_ANTHROPIC, Buffer.from('<html>'), { model: 'm', stream: false, includeUsage: false })
    } catch (err) {
      thrown = err
    }
    expect((thrown as GatewayError).status).toBe(502)
  })
})
