import { describe, expect, it } from 'vitest'
import { replaceModelField } from '../../../src/main/gateway/forward/modelField'

const rewrite = (json: string, model = 'local') => replaceModelField(Buffer.from(json), model)?.toString()

describe('replaceModelField', () => {
  it('replaces the top-level model of a vLLM chat completion and nothing else', () => {
    const body = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: 'the "model": "x" here', tool_calls: [{ function: { name: 'f', arguments: '{"model":"inner"}' } }] } }],
      model: 'Qwen/Qwen2.5-7B-Instruct',
      usage: { prompt_tokens: 3, completion_tokens: 2, prompt_tokens_details: null },
    }
    const out = rewrite(JSON.stringify(body), 'my-alias')!
    expect(JSON.parse(out)).toEqual({ ...body, model: 'my-alias' })
  })

  it('keeps the bytes around it exactly (whitespace, key order, number formats)', () => {
    const json = '{\n  "id" : "a",\t"n": 1.5e3, "ok": true, "none": null,\r\n  "model"  :  "up\\"stream" , "tail": [1, {"model": "x"}] }'
    expect(rewrite(json, 'cli\u00e9nt "q"')).toBe('{\n  "id" : "a",\t"n": 1.5e3, "ok": true, "none": null,\r\n  "model"  :  "cli\u00e9nt \\"q\\"" , "tail": [1, {"model": "x"}] }')
  })

  it('escapes the new name as JSON', () => {
    expect(JSON.parse(rewrite('{"model":"a"}', 'we\\ird\n"name"')!).model).toBe('we\\ird\n"name"')
  })

  it('answers undefined when there is no top-level model string, or the body is not an object', () => {
    for (const json of ['{"choices":[{"model":"x"}]}', '{}', '[{"model":"x"}]', '"model"', '{"model":null}', '{"model":"unterminated', '{"a":[1,2', 'not json', '', '{"a" 1, "model":"x"}']) {
      expect(rewrite(json), json).toBeUndefined()
    }
  })

  it('skips a key that only contains "model" and strings with escaped quotes', () => {
    expect(rewrite('{"model_name":"a","x":"\\\\","model":"b"}', 'c')).toBe('{"model_name":"a","x":"\\\\","model":"c"}')
  })
})
