// The gateway's token counter: encodings load and count in a worker thread (the script the build
// ships, bundled from the sources by tests/setup/workers.ts); the request path never waits.
import type { Worker } from 'node:worker_threads'
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base'
import { afterEach, describe, expect, it } from 'vitest'
import { workerScript } from '../../../../src/main/gateway/common/workerScript'
import { defaultTokenCounter, heuristicTokens, heuristicTokensOfParts, TokenCounter } from '../../../../src/main/gateway/admission/tokenCounter'
import { TokenThread } from '../../../../src/main/gateway/admission/tokenThread'
import { estimateRequestTokens } from '../../../../src/main/gateway/admission/tokenEstimate'
import { until } from '../../../helpers/wait'

const threads: TokenThread[] = []
function thread(script = (): string | undefined => workerScript('tokenWorker')): TokenThread {
  const t = new TokenThread({ script, local: () => new TokenCounter(), heuristic: heuristicTokensOfParts })
  threads.push(t)
  return t
}
const workerOf = (t: TokenThread): Worker | undefined => (t as unknown as { worker?: Worker }).worker

afterEach(async () => {
  for (const t of threads.splice(0)) await t.close()
})

const TEXTS = [
  'hello world',
  'say <|endoftext|> please, and <|im_start|> too',
  'const answer = await ledger.flushAll() // 42\n'.repeat(40),
  'これは日本語の文章です。トークナイザーの精度を確認する。'.repeat(10),
  JSON.stringify({ type: 'object', properties: { city: { type: 'string', enum: ['Zürich', 'Kyoto'] } } }),
]

describe('the tokenizer worker', () => {
  it('is what the gateway counts with', () => {
    expect(workerScript('tokenWorker')).toBeDefined()
    expect(defaultTokenCounter).toBeInstanceOf(TokenThread)
  })

  it('answers counts equal to the in-process tokenizer (o200k and cl100k, special-token text included)', async () => {
    const t = thread()
    for (const text of TEXTS) {
      expect(await t.countAsync(text)).toBe(o200k(text, { disallowedSpecial: new Set() }))
      expect(await t.countAsync(text, 'cl100k_base')).toBe(cl100k(text, { disallowedSpecial: new Set() }))
    }
    expect(workerOf(t)).toBeDefined()
    // Long texts are sampled exactly as the in-process counter samples them.
    const local = new TokenCounter()
    await local.warmUp()
    const long = TEXTS.join('\n').repeat(200)
    expect(long.length).toBeGreaterThan(8192)
    expect(await t.countAsync(long)).toBe(local.count(long))
    expect(await t.countAsync('')).toBe(0)
  })

  it('count() is synchronous and loads nothing: the heuristic, before and after the worker is warm', async () => {
    const t = thread()
    const text = TEXTS[2]!
    expect(t.count(text)).toBe(heuristicTokens(text))
    expect(workerOf(t)).toBeUndefined()
    expect(t.isReady()).toBe(false)
    expect(await t.warmUp()).toBe(true)
    expect(t.isReady()).toBe(true)
    expect(t.count(text)).toBe(heuristicTokens(text))
    // The TPM estimate goes through it, with the API it always had.
    expect(estimateRequestTokens({ messages: [{ role: 'user', content: text }] }, { shape: 'chat', counter: t })).toEqual({ input: heuristicTokens(text) + 4 + 3, output: 1024 })
  })

  it('warmUpCount() (what a TPM limit calls) starts no worker and loads nothing while count() is the heuristic; in-process it loads the encoding', async () => {
    const t = thread()
    t.warmUpCount()
    expect(workerOf(t)).toBeUndefined()
    expect(t.isReady()).toBe(false)
    const none = thread(() => undefined)
    none.warmUpCount()
    await until(() => none.isReady(), 10_000, 'the in-process encoding loaded')
    expect(none.count('hello world')).toBe(o200k('hello world'))
  })

  it('a worker that dies answers its open counts with the heuristic; the next count starts another', async () => {
    const t = thread()
    expect(await t.warmUp()).toBe(true)
    const text = 'lorem ipsum dolor sit amet '.repeat(20_000)
    const open = t.countAsync(text)
    await workerOf(t)!.terminate()
    expect(await open).toBe(heuristicTokens(text))
    await until(() => workerOf(t) === undefined, 2000, 'the death noticed')
    expect(t.isReady()).toBe(false)
    expect(await t.countAsync('hello world')).toBe(o200k('hello world'))
    expect(workerOf(t)).toBeDefined()
  })

  it('after three deaths, or without a worker script, counting is in-process as before', async () => {
    const t = thread()
    for (let i = 0; i < 3; i++) {
      expect(await t.countAsync('hello')).toBe(o200k('hello'))
      const w = workerOf(t)!
      await w.terminate()
      await until(() => workerOf(t) !== w, 2000, 'the death noticed')
    }
    expect(await t.countAsync('hello world')).toBe(o200k('hello world'))
    expect(workerOf(t)).toBeUndefined()
    expect(t.count('hello world')).toBe(o200k('hello world')) // the in-process counter is loaded now: exact

    const none = thread(() => undefined)
    expect(await none.warmUp()).toBe(true)
    expect(none.count('hello world')).toBe(o200k('hello world'))
    expect(workerOf(none)).toBeUndefined()
  })
})
