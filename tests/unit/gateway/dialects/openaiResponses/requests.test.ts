import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../../src/main/gateway/common/errors'
import type { EncodeRequestOptions } from '../../../../../src/main/gateway/dialects/codec'
import { openaiResponses } from '../../../../../src/main/gateway/dialects/openaiResponses'
import { translateRequest } from '../../../../../src/main/gateway/dialects/translate'
import { loadFixture } from '../helpers'

interface CodexFixture {
  input: Record<string, unknown>
  chat: { options: EncodeRequestOptions; expected: unknown }
  anthropic: { options: EncodeRequestOptions; expected: unknown }
}
const codex = loadFixture<CodexFixture>('requests-responses-codex.json')

describe('a Codex CLI request (golden)', () => {
  it('translates for a chat upstream', () => {
    const input = structuredClone(codex.input)
    const out = translateRequest('openai-responses', 'openai-chat', input, codex.chat.options)
    expect(out.path).toBe('/chat/completions')
    expect(out.body).toEqual(codex.chat.expected)
    expect(input).toEqual(codex.input) // pure
  })

  it('translates for Anthropic', () => {
    const out = translateRequest('openai-responses', 'anthropic-messages', codex.input, codex.anthropic.options)
    expect(out.path).toBe('/v1/messages')
    expect(out.body).toEqual(codex.anthropic.expected)
  })

  it('keeps the Responses-only settings in the canonical request', () => {
    const req = openaiResponses.decodeRequest(codex.input)
    expect(req).toMatchObject({
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      promptCacheKey: 'thread-1',
      reasoning: { effort: 'medium', summary: 'auto' },
      verbosity: 'medium',
      parallelToolCalls: false,
      toolChoice: { type: 'auto' },
    })
    expect(req.tools!.map((t) => [t.kind, t.name])).toEqual([
      ['function', 'shell'],
      ['custom', 'apply_patch'],
    ])
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user'])
    expect(req.messages[2]!.content[0]).toEqual({ type: 'reasoning', summary: ['Look at the file first.'], encryptedContent: 'gAAAAABopaque' })
  })

  it('survives decode -> encode -> decode unchanged (Responses round trip)', () => {
    const once = openaiResponses.decodeRequest(codex.input)
    const again = openaiResponses.decodeRequest(openaiResponses.encodeRequest(once, {}).body)
    expect(again).toEqual(once)
  })
})

describe('Responses request details', () => {
  it('a string input is one user message; previous_response_id is carried, and passed on only to a Responses upstream', () => {
    const body = { model: 'm', input: 'hi', previous_response_id: 'resp_1', store: true }
    const req = openaiResponses.decodeRequest(body)
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }])
    expect(req.previousResponseId).toBe('resp_1')
    expect(openaiResponses.encodeRequest(req, {}).body).toMatchObject({ previous_response_id: 'resp_1', store: true })
    expect(translateRequest('openai-responses', 'openai-chat', body).body).not.toHaveProperty('previous_response_id')
  })

  it('a function call output with an image sends the image to a chat upstream after the tool message', () => {
    const body = {
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'screenshot', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'here' }, { type: 'input_image', image_url: 'https://example.com/s.png' }] },
      ],
    }
    expect((translateRequest('openai-responses', 'openai-chat', body).body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: 'here\n[image attached below]' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/s.png' } }] },
    ])
  })

  it('text.format json_schema becomes the chat response_format and Anthropic output_config', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }
    const body = { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'thing', schema, strict: true } } }
    expect(translateRequest('openai-responses', 'openai-chat', body).body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'thing', schema, strict: true } } })
    expect(translateRequest('openai-responses', 'anthropic-messages', body).body).toMatchObject({ output_config: { format: { type: 'json_schema', schema } } })
  })

  it.each([
    ['no model', { input: 'x' }, 'model'],
    ['input that is neither string nor array', { model: 'm', input: 5 }, 'input'],
    ['an item that is not an object', { model: 'm', input: ['x'] }, 'input[0]'],
    ['an item reference (needs the response store)', { model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]'],
    ['audio input', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }] }, 'input[0].content[0]'],
    ['an image that is a local path', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: '/tmp/a.png' }] }] }, 'input[0].content[0]'],
    ['an unknown role', { model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['a text.format without schema', { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 'text.format'],
  ])('rejects clearly: %s', (_name, body, param) => {
    let thrown: unknown
    try {
      openaiResponses.decodeRequest(body)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(GatewayError)
    expect((thrown as GatewayError).status).toBe(400)
    expect((thrown as GatewayError).param).toBe(param)
  })
})
