import { describe, expect, it } from 'vitest'
import { conversationOf, promptShape, type PromptShape } from '../../../../src/main/gateway/routing/promptShape'
import { PrefixIndex } from '../../../../src/main/gateway/routing/prefixIndex'

const text = (tag: string, chars: number): string => `${tag}:${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27)).slice(0, chars)}`
const system = { role: 'system', content: text('system', 24_000) }
const turn1 = [system, { role: 'user', content: 'Refactor the router.' }]
const turn2 = [...turn1, { role: 'assistant', content: text('answer-1', 1_200) }, { role: 'user', content: text('tool output', 6_000) }]
const turn3 = [...turn2, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Now the tests.' }]

const shape = (messages: unknown[], extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): PromptShape => promptShape(headers, { model: 'm', messages, ...extra })!

describe('prompt shape', () => {
  it('one chained digest per message: a later turn repeats every digest of the earlier one', () => {
    const a = shape(turn1)
    const b = shape(turn2)
    const c = shape(turn3)
    expect(a.digests).toHaveLength(2)
    expect(b.digests.slice(0, 2)).toEqual(a.digests)
    expect(c.digests.slice(0, 4)).toEqual(b.digests)
    expect(new Set(c.digests).size).toBe(c.digests.length)
    expect(c.assistant).toEqual([false, false, true, false, true, false])
  })

  it('a fork shares the digests up to where it differs, and none after', () => {
    const fork = shape([...turn2.slice(0, 3), { role: 'user', content: text('other tool output', 6_000) }])
    const b = shape(turn2)
    expect(fork.digests.slice(0, 3)).toEqual(b.digests.slice(0, 3))
    expect(fork.digests[3]).not.toBe(b.digests[3])
  })

  it('a change early in the prompt changes every later digest (the chain), even in the middle of a long message', () => {
    const edited = system.content.slice(0, 12_000) + 'X' + system.content.slice(12_001)
    const other = shape([{ role: 'system', content: edited }, turn1[1]!])
    const base = shape(turn1)
    // 24k characters are sampled, not hashed whole: a change is seen when it touches a sample.
    const sampled = [0, 47, 23_999].map((at) => system.content.slice(0, at) + (system.content[at] === 'Y' ? 'Z' : 'Y') + system.content.slice(at + 1))
    for (const variant of sampled) expect(shape([{ role: 'system', content: variant }, turn1[1]!]).digests[0]).not.toBe(base.digests[0])
    expect(other.digests[1] === base.digests[1]).toBe(other.digests[0] === base.digests[0])
  })

  it('ignores cache_control markers, which clients move from turn to turn', () => {
    const plain = shape([{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }])
    const marked = shape([{ role: 'user', content: [{ type: 'text', text: 'hello there', cache_control: { type: 'ephemeral' } }] }])
    expect(marked.digests).toEqual(plain.digests)
  })

  it('estimates tokens at about 4 characters each, per block and in total', () => {
    const b = shape(turn2)
    expect(b.tokensThrough.at(-1)).toBe(b.promptTokens)
    expect(b.promptTokens).toBeGreaterThan((24_000 + 1_200 + 6_000) / 4)
    expect(b.promptTokens).toBeLessThan((24_000 + 1_200 + 6_000) / 4 + 40)
    for (let i = 1; i < b.tokensThrough.length; i++) expect(b.tokensThrough[i]!).toBeGreaterThan(b.tokensThrough[i - 1]!)
  })

  it('tools and a top-level system prompt (Anthropic) are blocks of their own, before the messages', () => {
    const tools = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }]
    const s = shape([{ role: 'user', content: 'hi' }], { tools, system: 'You are terse.' })
    expect(s.digests).toHaveLength(3)
    const noTools = shape([{ role: 'user', content: 'hi' }], { system: 'You are terse.' })
    expect(noTools.digests[0]).not.toBe(s.digests[0])
  })

  it('names the conversation: session header, prompt_cache_key, user, else its opening', () => {
    expect(shape(turn1, { user: 'u1', prompt_cache_key: 'pk' }, { 'x-switchyard-session': 'agent-7' }).conversation).toBe('s:agent-7')
    expect(shape(turn1, { user: 'u1', prompt_cache_key: 'pk' }).conversation).toBe('k:pk')
    expect(shape(turn1, { user: 'u1' }).conversation).toBe('u:u1')
    expect(shape(turn1, { metadata: { user_id: 'm1' } }).conversation).toBe('u:m1')
    const opening = shape(turn1).conversation
    expect(opening).toMatch(/^c:/)
    expect(shape(turn3).conversation).toBe(opening)
    expect(shape([system, { role: 'user', content: 'Something else.' }]).conversation).not.toBe(opening)
  })

  it('conversationOf reads only the opening, and only for a request that continues a conversation', () => {
    expect(conversationOf({}, { messages: turn1 })).toBeUndefined()
    expect(conversationOf({}, { messages: turn3 })).toBe(shape(turn3).conversation)
    expect(conversationOf({ 'x-switchyard-session': 's1' }, { messages: turn1 })).toBe('s:s1')
  })

  it('completions and Responses bodies have a shape too; a body without a prompt has none', () => {
    expect(promptShape({}, { prompt: 'Once upon a time' })!.digests).toHaveLength(1)
    expect(promptShape({}, { instructions: 'be brief', input: [{ role: 'user', content: 'q' }] })!.digests).toHaveLength(2)
    expect(promptShape({}, { model: 'x' })).toBeUndefined()
  })
})

describe('prefix index', () => {
  it('finds the longest cached prefix of a later turn, a fork, or another conversation with the same system prompt', () => {
    const index = new PrefixIndex(1_000_000)
    index.touch(shape(turn2))
    const t3 = shape(turn3)
    expect(index.match(t3)).toEqual({ blocks: 4, tokens: t3.tokensThrough[3] })
    const other = shape([system, { role: 'user', content: 'A different task.' }])
    expect(index.match(other).blocks).toBe(1)
    expect(index.match(shape([{ role: 'system', content: 'another prompt' }])).tokens).toBe(0)
  })

  it('evicts least recently used blocks first, and a prompt’s tail before its head', () => {
    const a = shape([system, { role: 'user', content: text('a', 8_000) }])
    const b = shape([{ role: 'system', content: text('other', 24_000) }, { role: 'user', content: text('b', 8_000) }])
    const index = new PrefixIndex(a.promptTokens + b.tokensThrough[0]! + 10)
    index.touch(a)
    index.touch(b) // does not fit whole: a's tail goes first
    expect(index.sizeTokens).toBeLessThanOrEqual(index.capacityTokens)
    expect(index.match(a).blocks).toBe(1) // a's system prompt survived, its user message did not
    expect(index.match(b).blocks).toBe(2)
    index.touch(a) // a again: now b's tail is the least recently used
    expect(index.match(a).blocks).toBe(2)
    expect(index.match(b).blocks).toBe(1)
    index.resize(10)
    expect(index.match(a).blocks).toBe(0)
  })
})
