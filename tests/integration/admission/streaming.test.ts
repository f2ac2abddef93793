// Streaming callers that wait in the admission queue: SSE keep-alive comments (OpenAI) or ping
// events (Anthropic) while they wait, then the real stream; or, when the wait times out after
// keep-alives committed a 200, an error event in the caller's protocol. The keep-alive grace and
// interval are shortened via GatewayOptions.keepAlive.
import { afterEach, describe, expect, it } from 'vitest'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { postJson, sseData } from '../../helpers/http'
import { chat, instrument, messages, MODEL, until } from './helpers'

const KEEPALIVE = { graceMs: 80, everyMs: 80 }
const ANTHROPIC = { 'anthropic-version': '2023-06-01' }

describe('admission: streaming callers that wait', () => {
  let mock: MockBackend
  let gw: TestGateway
  let seen: ReturnType<typeof instrument>
  afterEach(async () => {
    await gw?.close()
    await mock?.close()
  })

  async function setup(queueTimeoutMs: number, slowMs: number): Promise<void> {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    seen = instrument(mock, slowMs)
    gw = await startTestGateway(
      { providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { timeoutMs: queueTimeoutMs } }] },
      { keepAlive: KEEPALIVE },
    )
  }

  /** Occupies the one slot with a slow non-streamed request. */
  async function occupy(): Promise<{ done: Promise<unknown> }> {
    const done = postJson(gw.url, '/v1/chat/completions', chat('blocker'))
    await until(() => seen.inFlight === 1, 2_000, 'blocker in flight')
    return { done } // wrapped: an async function returning the promise itself would wait for it
  }

  it('OpenAI: keep-alive comments while queued, then the whole stream with [DONE]', async () => {
    await setup(5_000, 500)
    const blocker = await occupy()
    seen.delayMs = 0
    const r = await postJson(gw.url, '/v1/chat/completions', chat('waiter', { stream: true }))
    await blocker.done
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/)
    const keepAlives = r.text.split(': keep-alive\n\n').length - 1
    expect(keepAlives).toBeGreaterThanOrEqual(2)
    // Comments come first, then the real events.
    expect(r.text.startsWith(': keep-alive\n\n')).toBe(true)
    const data = sseData(r.text)
    expect(data.at(-1)).toBe('[DONE]')
    expect(data.join('')).toContain('Hello')
    expect(seen.order).toEqual(['blocker', 'waiter'])
  })

  it('Anthropic /v1/messages: ping events while queued, then the translated stream', async () => {
    await setup(5_000, 500)
    const blocker = await occupy()
    seen.delayMs = 0
    const r = await postJson(gw.url, '/v1/messages', messages('waiter', { stream: true }), ANTHROPIC)
    await blocker.done
    expect(r.status).toBe(200)
    const events = r.text.split('\n\n').filter(Boolean)
    const pings = events.filter((e) => e.startsWith('event: ping'))
    expect(pings.length).toBeGreaterThanOrEqual(2)
    expect(events[0]).toMatch(/^event: ping/)
    expect(r.text).toContain('event: message_start')
    expect(r.text).toContain('event: message_stop')
    expect(r.text).not.toContain('event: error')
  })

  it('OpenAI: a queue timeout after keep-alives ends the stream with an error event and no [DONE]', async () => {
    await setup(400, 1_000)
    const blocker = await occupy()
    const r = await postJson(gw.url, '/v1/chat/completions', chat('waiter', { stream: true }))
    expect(r.status).toBe(200) // committed by the keep-alives
    expect(r.text).toContain(': keep-alive\n\n')
    const data = sseData(r.text)
    expect(data).not.toContain('[DONE]')
    const last = JSON.parse(data.at(-1)!) as { error: { type: string; code: string; message: string } }
    expect(last.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' })
    expect(last.error.message).toMatch(/concurrency/)
    await blocker.done
    expect(seen.order).toEqual(['blocker'])
  })

  it('Anthropic: a queue timeout after pings ends the stream with event: error', async () => {
    await setup(400, 1_000)
    const blocker = await occupy()
    const r = await postJson(gw.url, '/v1/messages', messages('waiter', { stream: true }), ANTHROPIC)
    expect(r.status).toBe(200)
    const events = r.text.split('\n\n').filter(Boolean)
    expect(events[0]).toMatch(/^event: ping/)
    const last = events.at(-1)!
    expect(last).toMatch(/^event: error\n/)
    expect(JSON.parse(last.split('\n')[1]!.slice(6))).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } })
    await blocker.done
    expect(seen.order).toEqual(['blocker'])
  })

  it('a queue timeout inside the grace period is still a plain 429 with Retry-After', async () => {
    mock = await startMockBackend({ flavor: 'vllm', models: [MODEL] })
    seen = instrument(mock, 600)
    gw = await startTestGateway(
      { providers: [{ id: 'gpu', kind: 'vllm', baseUrl: mock.baseUrl, models: [MODEL], limits: { maxConcurrent: 1 }, queue: { timeoutMs: 150 } }] },
      { keepAlive: { graceMs: 2_000, everyMs: 2_000 } },
    )
    const blocker = await occupy()
    const r = await postJson(gw.url, '/v1/chat/completions', chat('waiter', { stream: true }))
    expect(r.status).toBe(429)
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(r.json()).toMatchObject({ error: { type: 'rate_limit_error' } })
    await blocker.done
  })
})
