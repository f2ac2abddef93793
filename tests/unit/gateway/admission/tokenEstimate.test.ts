import { beforeAll, describe, expect, it } from 'vitest'
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base'
import { TokenCounter, encodingForModel, heuristicTokens, heuristicTokensOfParts, type EncodingName } from '../../../../src/main/gateway/admission/tokenCounter'
import { DEFAULT_OUTPUT_TOKENS, estimateRequestTokens } from '../../../../src/main/gateway/admission/tokenEstimate'

// A counter whose "encoding" counts words, so expected numbers can be worked out by hand.
function wordCounter(): { counter: TokenCounter; seen: { encoding: EncodingName; text: string }[] } {
  const seen: { encoding: EncodingName; text: string }[] = []
  const counter = new TokenCounter({
    load: async (encoding) => (text) => {
      seen.push({ encoding, text })
      return text.split(/\s+/).filter(Boolean).length
    },
  })
  return { counter, seen }
}

describe('token counting', () => {
  it.each([
    ['gpt-4o-mini', 'o200k_base'],
    ['gpt-4.1', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['openai/gpt-4-32k', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['qwen2.5-7b', 'o200k_base'],
    ['claude-sonnet-4-5', 'o200k_base'],
    [undefined, 'o200k_base'],
  ])('%s uses %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding)
  })

  it('falls back to ~chars/4 (one token per non-ASCII character)', () => {
    expect(heuristicTokens('')).toBe(0)
    expect(heuristicTokens('abcd'.repeat(10))).toBe(10)
    expect(heuristicTokens('abcde')).toBe(2)
    expect(heuristicTokens('日本語')).toBe(3)
  })

  it('counts parts as the text they join into, without joining them (ASCII, mixed, and past the sampling size)', () => {
    const cases: string[][] = [
      [],
      [''],
      ['abcd', 'efgh'],
      ['plain ASCII code { x: 1 }', 'Zürich, Kyoto 京都', 'más texto'],
      ['a'.repeat(100_000), 'b'.repeat(100_000), 'ü'.repeat(30_000), 'c'.repeat(100_000)], // 330k: windows
      ['x'.repeat(300_000)], // all ASCII past the sampling size: exact, no windows needed
    ]
    for (const parts of cases) {
      const joined = parts.join('\n')
      const nonAscii = [...joined].filter((ch) => ch.charCodeAt(0) > 0x7f).length
      const exact = Math.ceil((joined.length - nonAscii) / 4) + nonAscii
      const got = heuristicTokensOfParts(parts)
      if (joined.length <= 256 * 1024 || nonAscii === 0) expect(got).toBe(exact)
      else expect(Math.abs(got - exact) / exact).toBeLessThan(0.05)
      expect(heuristicTokens(joined)).toBe(heuristicTokensOfParts([joined]))
    }
  })

  it('the TPM estimate counts the prompt in parts, as the joined text counts', () => {
    const body = { messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: [{ type: 'text', text: 'Übersetze: hello' }] }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] }
    const parts = ['You are terse.', 'Übersetze: hello', JSON.stringify(body.tools)]
    expect(estimateRequestTokens(body, { shape: 'chat', counter: new TokenCounter({ load: () => Promise.reject(new Error('none')) }) }).input).toBe(heuristicTokens(parts.join('\n')) + 2 * 4 + 3)
  })

  it('answers with the heuristic while the encoding loads, exactly afterwards', async () => {
    let release: (fn: (t: string) => number) => void = () => {}
    const counter = new TokenCounter({ load: () => new Promise((resolve) => (release = resolve)) })
    expect(counter.count('abcdefgh')).toBe(2)
    expect(counter.isReady()).toBe(false)
    release(() => 42)
    expect(await counter.warmUp()).toBe(true)
    expect(counter.count('abcdefgh')).toBe(42)
  })

  it('stays on the heuristic if the tokenizer cannot be loaded', async () => {
    const counter = new TokenCounter({ load: () => Promise.reject(new Error('missing')) })
    expect(await counter.warmUp('cl100k_base')).toBe(false)
    expect(counter.count('abcdefgh', 'cl100k_base')).toBe(2)
  })

  it('bounds the work on huge texts by sampling', async () => {
    const { counter, seen } = wordCounter()
    await counter.warmUp()
    const text = 'word '.repeat(40_000) // 200 000 chars, 40 000 words
    const estimate = counter.count(text)
    expect(Math.abs(estimate - 40_000) / 40_000).toBeLessThan(0.01)
    expect(seen.reduce((sum, s) => sum + s.text.length, 0)).toBeLessThanOrEqual(4 * 2048)
  })

  describe('with the real o200k tokenizer', () => {
    const counter = new TokenCounter()
    beforeAll(async () => {
      expect(await counter.warmUp('o200k_base')).toBe(true)
    })

    it('counts exactly like gpt-tokenizer, special-token text included', () => {
      expect(counter.count('hello world')).toBe(o200kCount('hello world'))
      expect(counter.count('say <|endoftext|> please')).toBeGreaterThan(3)
    })

    it('stays close to the exact count when sampling a long, varied text', () => {
      const paragraph = [
        'The gateway queues requests that cannot go yet and answers 429 with Retry-After when they time out.',
        'function admit(limiter, estimate) { return limiter.check(estimate, Date.now()).ok }',
        'Les fenêtres glissantes comptent exactement les soixante dernières secondes, sans rafale double.',
        '| provider | rpm | tpm |\n|---|---|---|\n| vllm-a | 600 | 200000 |',
      ]
      let text = ''
      for (let i = 0; text.length < 200_000; i++) text += `${paragraph[i % paragraph.length]} (${i})\n`
      const exact = o200kCount(text)
      expect(Math.abs(counter.count(text) - exact) / exact).toBeLessThan(0.05)
    })
  })
})

describe('estimateRequestTokens', () => {
  it('counts chat messages: text, parts, names, tool calls, tools; images at a fixed cost', async () => {
    const { counter, seen } = wordCounter()
    await counter.warmUp('o200k_base')
    const estimate = estimateRequestTokens(
      {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', name: 'ann', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
        max_tokens: 50,
      },
      { shape: 'chat', counter },
    )
    // words: "be brief" 2 + "ann" 1 + "what is this" 3 + tool_calls JSON 1 + tools JSON 1 = 8
    // framing: 3 messages * 4 + 3 priming = 15; image 1000
    expect(estimate).toEqual({ input: 8 + 15 + 1000, output: 50 })
    expect(seen.at(-1)!.encoding).toBe('o200k_base')
  })

  it('takes max_completion_tokens over max_tokens, the default otherwise, times n', async () => {
    const { counter } = wordCounter()
    await counter.warmUp()
    const chat = (extra: Record<string, unknown>, defaultMaxTokens?: number) =>
      estimateRequestTokens({ messages: [], ...extra }, { shape: 'chat', counter, defaultMaxTokens }).output
    expect(chat({ max_tokens: 10, max_completion_tokens: 20 })).toBe(20)
    expect(chat({ max_tokens: 10, n: 3 })).toBe(30)
    expect(chat({})).toBe(DEFAULT_OUTPUT_TOKENS)
    expect(chat({}, 4096)).toBe(4096)
  })

  it('counts completions prompts (text, lists, token ids) and embeddings inputs', async () => {
    const { counter } = wordCounter()
    await counter.warmUp()
    expect(estimateRequestTokens({ prompt: 'one two three', max_tokens: 5 }, { shape: 'completions', counter })).toEqual({ input: 3, output: 5 })
    expect(estimateRequestTokens({ prompt: ['a b', 'c'], max_tokens: 5, best_of: 2 }, { shape: 'completions', counter })).toEqual({ input: 3, output: 10 })
    expect(estimateRequestTokens({ prompt: [1, 2, 3, 4] }, { shape: 'completions', counter, defaultMaxTokens: 7 })).toEqual({ input: 4, output: 7 })
    expect(estimateRequestTokens({ input: ['x y', 'z'] }, { shape: 'embeddings', counter })).toEqual({ input: 3, output: 0 })
    expect(estimateRequestTokens({ input: [[1, 2], [3]] }, { shape: 'embeddings', counter })).toEqual({ input: 3, output: 0 })
  })

  it('counts Anthropic system and messages, tool use and results, images and documents', async () => {
    const { counter } = wordCounter()
    await counter.warmUp()
    const estimate = estimateRequestTokens(
      {
        model: 'claude-sonnet-4-5',
        system: [{ type: 'text', text: 'you are terse' }],
        messages: [
          { role: 'user', content: 'hi there' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'let me look' },
              { type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'found it' }] },
              { type: 'image', source: { type: 'base64', data: 'AAAA' } },
              { type: 'document', source: { type: 'base64', data: 'JVBER' } },
            ],
          },
        ],
        max_tokens: 1024,
      },
      { shape: 'anthropic-messages', counter },
    )
    // words: 3 + 2 + 3 + "lookup" 1 + JSON 1 + 2 = 12; framing 3*4 + 3 = 15; image 1000 + document 1500
    expect(estimate).toEqual({ input: 12 + 15 + 2500, output: 1024 })
  })

  it('is safe on malformed bodies', () => {
    const counter = new TokenCounter({ load: () => Promise.reject(new Error('offline')) })
    expect(estimateRequestTokens({ messages: 'nope', max_tokens: -5 }, { shape: 'chat', counter, defaultMaxTokens: 9 })).toEqual({ input: 3, output: 9 })
    expect(estimateRequestTokens({ messages: [null, 3, { content: 7 }] }, { shape: 'anthropic-messages', counter }).input).toBe(7)
  })
})
