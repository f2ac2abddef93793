import { describe, expect, it } from 'vitest'
import { compactionAnswer, compactionInput, SUMMARY_PREFIX, summaryRequest } from '../../../../../src/main/gateway/dialects/openaiResponses/compaction'

const answerWith = (text: string, usage?: object): object => ({ object: 'response', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] }], ...(usage ? { usage } : {}) })
const user = (text: string): object => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] })

describe('compaction for backends without /responses/compact', () => {
  it('a string input is one user message; anything else but an array is the caller\'s 400', () => {
    expect(compactionInput({ input: 'hi' })).toEqual([user('hi')])
    expect(() => compactionInput({ input: { role: 'user' } })).toThrow(/"input" must be/)
    expect(() => compactionInput({})).toThrow(/"input" must be/)
  })

  it('the summary request keeps the conversation and instructions, asks last, and forbids tool calls', () => {
    const req = summaryRequest({ model: 'm', input: [user('a')], instructions: 'sys', tools: [{ type: 'function', name: 'shell' }], parallel_tool_calls: false, stream: true })
    expect(req).toMatchObject({ model: 'm', instructions: 'sys', tool_choice: 'none', stream: false, store: false })
    expect((req.input as unknown[])[0]).toEqual(user('a'))
    expect(JSON.stringify((req.input as unknown[]).at(-1))).toContain('handoff summary')
    expect(summaryRequest({ model: 'm', input: [], tools: [] })).not.toHaveProperty('tool_choice')
  })

  it('keeps the newest user messages that fit (~64k characters), in order, then the summary', () => {
    const old = 'o'.repeat(40_000)
    const recent = 'r'.repeat(30_000)
    const input = [user(old), { type: 'function_call', call_id: 'c', name: 'x', arguments: '{}' }, { role: 'assistant', content: 'done' }, { role: 'user', content: 'short' }, user(recent)]
    const out = compactionAnswer(answerWith(' the summary '), { input }).output as Array<{ content: Array<{ text: string }> }>
    expect(out.map((o) => o.content[0]!.text)).toEqual(['short', recent, `${SUMMARY_PREFIX}the summary`])
  })

  it('carries the usage over; an answer without text is a bad upstream answer', () => {
    const usage = { input_tokens: 3, output_tokens: 2, total_tokens: 5 }
    expect(compactionAnswer(answerWith('s', usage), { input: [] })).toMatchObject({ object: 'response.compaction', usage })
    expect(() => compactionAnswer(answerWith('  '), { input: [] })).toThrow(/without a summary/)
    expect(() => compactionAnswer({ output: 'garbage' }, { input: [] })).toThrow(/without a summary/)
    expect(() => compactionAnswer(null, { input: [] })).toThrow(/without a summary/)
  })
})
