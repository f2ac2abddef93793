// Requests that do not end well, through the real gateway: a client that hangs up mid-stream and
// an upstream that dies mid-stream are recorded with what was observed, marked estimated (a
// tokenizer count of the text delivered); an error before any byte records zero tokens and never
// the error's text; a failed-over request is one row, on the target that served it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { countTokens, estimatePromptTokens } from '../../../src/main/gateway/usage/estimateTokens'
import { startMockBackend, sseEvents, type MockBackend } from '../../helpers/mockBackend'
import { startMockAnthropic, type MockAnthropic } from '../../helpers/mockAnthropic'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { anthropicStreamText, ledgerRow, ledgerRowsFor, openAIStreamText, streamThenHangUp } from './usageHelpers'

// Words that take several tokens each, so a tokenizer count differs from an event count.
const WORDS = [' Tokenization', ' idiosyncrasies', ' notwithstanding,', ' parallelization', ' remains', ' straightforward', ' until', ' unicode', ' normalization', ' intervenes.']

describe('usage ledger: requests cut short, errors and failover', () => {
  let vllm: MockBackend
  let flaky: MockBackend
  let good: MockBackend
  let claude: MockAnthropic
  let gw: TestGateway

  beforeAll(async () => {
    vllm = await startMockBackend({ flavor: 'vllm', name: 'vllm-a', models: ['qwen2.5-7b'] })
    flaky = await startMockBackend({ flavor: 'vllm', name: 'flaky', models: ['qwen2.5-7b'] })
    good = await startMockBackend({ flavor: 'openai', name: 'good', models: ['gpt-4o-mini'] })
    claude = await startMockAnthropic({ models: ['claude-sonnet-4-5'] })
    gw = await startTestGateway({
      providers: [
        { id: 'vllm-a', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen2.5-7b'] },
        { id: 'flaky', kind: 'vllm', baseUrl: flaky.baseUrl, models: [] },
        { id: 'good', kind: 'openai-compatible', baseUrl: good.baseUrl, models: ['gpt-4o-mini'], apiKey: 'sk-good' },
        { id: 'claude', kind: 'anthropic', baseUrl: claude.baseUrl, models: ['claude-sonnet-4-5'], apiKey: 'sk-ant' },
        // Nothing listens there (port 9 is discard, closed on loopback test hosts).
        { id: 'down', kind: 'vllm', baseUrl: 'http://127.0.0.1:9/v1', models: ['down-model'] },
      ],
      routes: [
        {
          model: 'fo',
          strategy: 'failover',
          targets: [
            { provider: 'flaky', model: 'qwen2.5-7b' },
            { provider: 'good', model: 'gpt-4o-mini' },
          ],
        },
      ],
    })
  })
  afterAll(async () => {
    await gw?.close()
    await Promise.all([vllm?.close(), flaky?.close(), good?.close(), claude?.close()])
  })
  afterEach(() => {
    for (const m of [vllm, flaky, good]) {
      m.requests.length = 0
      m.behavior = { words: ['Hello', ' from', ' the', ' mock'], chunkDelayMs: 0, headerDelayMs: 0 }
    }
    claude.reset()
  })

  const chat = (model: string, extra: object = {}) => ({ model, messages: [{ role: 'user', content: 'Explain tokenizers in ten words.' }], ...extra })
  const expectedCompletion = async (delivered: string, events: number) => Math.max(await countTokens(delivered), events)

  describe('client hangs up mid-stream', () => {
    it('OpenAI stream: row `aborted`, estimated, completion = tokenizer count of what was delivered; the upstream is aborted', async () => {
      vllm.behavior.words = WORDS
      vllm.behavior.chunkDelayMs = 150 // the gateway has nothing more than the client when it hangs up
      const body = chat('qwen2.5-7b', { stream: true })
      const partial = await streamThenHangUp(gw.url, '/v1/chat/completions', body, (t) => WORDS.slice(0, 3).every((w) => t.includes(JSON.stringify(w).slice(1, -1))))
      expect(partial.status).toBe(200)
      await vllm.waitForAbort()
      const delivered = openAIStreamText(partial.text)
      expect(delivered).toBe(WORDS.slice(0, 3).join(''))
      const row = await ledgerRow(gw.gateway, partial.headers['x-request-id'])
      const completion = await expectedCompletion(delivered, 3)
      expect(completion).toBeGreaterThan(3) // a tokenizer count, not one per event
      expect(row).toMatchObject({ state: 'aborted', status: 499, errorClass: 'client_aborted', estimated: true, stream: true, provider: 'vllm-a' })
      expect(row.completionTokens).toBe(completion)
      expect(row.promptTokens).toBe(await estimatePromptTokens(body))
      expect(row.cachedTokens).toBe(0)
    })

    it('Anthropic stream: the input and cache counts message_start reported are kept, exactly; output estimated', async () => {
      claude.behavior.reply = { content: [{ type: 'text', text: WORDS.join('') }], usage: { input_tokens: 40, output_tokens: 500, cache_read_input_tokens: 900, cache_creation_input_tokens: 60 } }
      claude.behavior.deltaChars = 200 // one delta per event...
      claude.behavior.chunkDelayMs = 150
      const body = { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }
      const partial = await streamThenHangUp(gw.url, '/v1/messages', body, (t) => t.includes('"text_delta"'), { 'anthropic-version': '2023-06-01' })
      const delivered = anthropicStreamText(partial.text)
      expect(delivered).toBe(WORDS.join(''))
      const row = await ledgerRow(gw.gateway, partial.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'aborted', estimated: true, promptTokens: 40 + 900 + 60, cachedTokens: 900, cacheCreationTokens: 60 })
      expect(row.completionTokens).toBe(await expectedCompletion(delivered, 1))
    })
  })

  describe('upstream fails mid-stream', () => {
    it('connection cut after three words: partial usage kept (estimated), row `error`, client stream ends with an error event', async () => {
      flaky.behavior.custom = (_req, res, body) => {
        const events = sseEvents({ ...flaky, behavior: { ...flaky.behavior, words: WORDS } }, 'qwen2.5-7b', '/chat/completions', body)
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' })
        res.write(events.slice(0, 4).join('')) // role chunk + three words
        setTimeout(() => res.socket?.destroy(), 30)
      }
      const body = chat('qwen2.5-7b', { stream: true })
      // `fo` tries flaky first; once bytes reached the client, failing over is no longer possible.
      const cut = await postJson(gw.url, '/v1/chat/completions', { ...body, model: 'fo' })
      expect(cut.status).toBe(200)
      expect(sseData(cut.text).at(-1)).toMatch(/^\{"error":/)
      expect(cut.text).not.toContain('[DONE]')
      const delivered = openAIStreamText(cut.text)
      expect(delivered).toBe(WORDS.slice(0, 3).join(''))
      const row = await ledgerRow(gw.gateway, cut.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', estimated: true, provider: 'flaky', attempts: 1 })
      expect(row.errorClass).toMatch(/^upstream_/)
      expect(row.completionTokens).toBe(await expectedCompletion(delivered, 3))
      expect(row.promptTokens).toBe(await estimatePromptTokens({ ...body, model: 'fo' }))
      expect(good.requests).toHaveLength(0)
    })

    it('Anthropic connection cut: message_start counts kept exactly, output estimated, row `error`', async () => {
      claude.behavior.reply = { content: [{ type: 'text', text: WORDS.join('') }], usage: { input_tokens: 11, output_tokens: 300, cache_read_input_tokens: 4000, cache_creation_input_tokens: 0 } }
      claude.behavior.deltaChars = 1000
      claude.behavior.cutAfterEvents = 4 // message_start, content_block_start, ping, one text delta
      claude.behavior.chunkDelayMs = 20 // the gateway reads each event before the cut
      const res = await postJson(gw.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      expect(res.text).toMatch(/event: error\n/)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', estimated: true, promptTokens: 4011, cachedTokens: 4000 })
      expect(row.completionTokens).toBe(await expectedCompletion(WORDS.join(''), 1))
    })

    it('Anthropic `event: error` mid-stream (overloaded): the row is an error, not ok; partial usage kept', async () => {
      claude.behavior.reply = { content: [{ type: 'text', text: WORDS.join('') }], usage: { input_tokens: 15, output_tokens: 300 } }
      claude.behavior.deltaChars = 1000
      claude.behavior.midStreamError = { afterEvents: 4, type: 'overloaded_error', message: 'Overloaded' }
      const res = await postJson(gw.url, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' })
      expect(res.text).toContain('overloaded_error')
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', estimated: true, promptTokens: 15 })
      expect(row.errorClass).toMatch(/overloaded/)
      expect(row.completionTokens).toBe(await expectedCompletion(WORDS.join(''), 1))
    })

    it('OpenAI client of an Anthropic upstream that errors mid-stream: row `error`, estimated', async () => {
      claude.behavior.reply = { content: [{ type: 'text', text: WORDS.join('') }], usage: { input_tokens: 15, output_tokens: 300 } }
      claude.behavior.deltaChars = 1000
      claude.behavior.midStreamError = { afterEvents: 4, type: 'overloaded_error', message: 'Overloaded' }
      const res = await postJson(gw.url, '/v1/chat/completions', chat('claude-sonnet-4-5', { stream: true }))
      expect(sseData(res.text).at(-1)).toMatch(/^\{"error":/)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', estimated: true, promptTokens: 15 })
    })
  })

  describe('an error before any byte', () => {
    it.each([
      ['non-streamed', false],
      ['streamed', true],
    ])('%s upstream 500: zero tokens, not estimated, and never the error text', async (_label, stream) => {
      vllm.behavior.errorStatus = 500
      const res = await postJson(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', stream ? { stream: true } : {}), { 'x-switchyard-app': 'errors-test' })
      expect(res.status).toBeGreaterThanOrEqual(500)
      expect(res.text).toContain('mock failure') // the client does get the upstream's message...
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, estimated: false, costUsd: 0 })
      expect(row.errorClass).toMatch(/^upstream_/)
      // ...the ledger never does, in any field or in an export.
      expect(JSON.stringify(row)).not.toContain('mock failure')
      const exported = await gw.gateway.api.exportUsage({ format: 'json' })
      expect(exported.body).not.toContain('mock failure')
    })

    it('unreachable upstream: 502, zero tokens, errorClass upstream_unreachable', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('down-model'))
      expect(res.status).toBe(502)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', status: 502, promptTokens: 0, completionTokens: 0, estimated: false, provider: 'down' })
      expect(row.errorClass).toMatch(/unreachable|connect/)
    })

    it('unknown model (no provider at all): a 404 row with zero tokens', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', chat('no-such-model'))
      expect(res.status).toBe(404)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ state: 'error', status: 404, promptTokens: 0, completionTokens: 0, provider: '', errorClass: 'model_not_found' })
    })
  })

  describe('failover', () => {
    it.each([
      ['non-streamed', false],
      ['streamed', true],
    ])('%s: first target 500, second answers: one row, on the second, attempts = 2, exact usage', async (_label, stream) => {
      flaky.behavior.errorStatus = 500
      good.usage = { prompt_tokens: 77, completion_tokens: 23, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 8 } }
      const app = `failover-${stream ? 's' : 'n'}`
      const res = await postJson(gw.url, '/v1/chat/completions', chat('fo', stream ? { stream: true } : {}), { 'x-switchyard-app': app })
      expect(res.status).toBe(200)
      expect(res.headers['x-switchyard-provider']).toBe('good')
      expect(flaky.requests).toHaveLength(1)
      expect(good.requests).toHaveLength(1)
      const row = await ledgerRow(gw.gateway, res.headers['x-request-id'])
      expect(row).toMatchObject({ provider: 'good', upstreamModel: 'gpt-4o-mini', routeModel: 'fo', attempts: 2, state: 'ok', status: 200, promptTokens: 77, completionTokens: 23, cachedTokens: 64, reasoningTokens: 8, estimated: false })
      expect(await ledgerRowsFor(gw.gateway, String(res.headers['x-request-id']))).toHaveLength(1)
      const { rows } = await gw.gateway.api.getUsage({ groupBy: 'provider,app' })
      expect(rows.filter((r) => r.app === app)).toEqual([{ provider: 'good', app, requests: 1, promptTokens: 77, completionTokens: 23, totalTokens: 100, costUsd: expect.any(Number) }])
    })
  })

  it('a request the client abandons while it waits before any byte is `aborted` with zero tokens', async () => {
    vllm.behavior.headerDelayMs = 400
    await streamThenHangUp(gw.url, '/v1/chat/completions', chat('qwen2.5-7b', { stream: true }), () => false, {}, 100)
    await vllm.waitForAbort()
    const row = await ledgerRow(gw.gateway, await lastRequestId())
    expect(row).toMatchObject({ state: 'aborted', promptTokens: 0, completionTokens: 0, estimated: false })
  })

  async function lastRequestId(): Promise<string> {
    gw.gateway.usage.ledger.flushAll()
    const { items } = await gw.gateway.api.listRequests({ limit: 1 })
    return items[0]!.requestId
  }
})
