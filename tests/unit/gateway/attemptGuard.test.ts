// Issue 11, defect 1 (structural): whatever throws while an attempt relays an answer — writing the
// head, writing a chunk — fails that one exchange and settles the attempt's promises. Before, a
// throw inside undici's handler left `runAttempt` pending forever (the caller's lease with it).
import http from 'node:http'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAttempt, type AttemptResult } from '../../../src/main/gateway/forward/attempt'
import { ClientResponse } from '../../../src/main/gateway/forward/clientResponse'
import type { Upstream } from '../../../src/main/gateway/providers/providerRuntime'
import { SecretScrubber } from '../../../src/main/gateway/common/secretScrubber'
import { listenOnLoopback, type Listening } from '../../helpers/server'

type Breakage = 'head' | 'write'

class BrokenClient extends ClientResponse {
  constructor(
    res: http.ServerResponse,
    private readonly breaks: Breakage,
  ) {
    super(res, 'openai-chat', 'req-1')
  }
  override head(status: number, headers: string[]): void {
    if (this.breaks === 'head') throw new TypeError('Invalid character in header content')
    super.head(status, headers)
  }
  override write(chunk: Buffer | string): boolean {
    if (this.breaks === 'write') throw new Error('boom in write')
    return super.write(chunk)
  }
}

describe('an attempt whose relay throws', () => {
  let upstream: Listening
  let front: Listening
  let pool: Pool
  const outcomes: Array<Promise<{ result: AttemptResult; end?: unknown }>> = []

  beforeAll(async () => {
    upstream = await listenOnLoopback(
      http.createServer((req, res) => {
        if (req.url?.includes('stream')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write('data: {"choices":[{"delta":{"content":"a"}}]}\n\n')
          setTimeout(() => res.end('data: [DONE]\n\n'), 20)
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}')
      }),
    )
    pool = new Pool(upstream.url)
    front = await listenOnLoopback(
      http.createServer((req, res) => {
        const breaks = (req.url?.includes('head') ? 'head' : 'write') as Breakage
        const path = req.url?.includes('stream') ? '/stream' : '/json'
        const up: Upstream = { origin: upstream.url, basePath: '', headers: {}, scrub: new SecretScrubber([]), timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000 } }
        const client = new BrokenClient(res, breaks)
        outcomes.push(
          runAttempt({ dispatcher: pool, upstream: up, providerId: 'p', path, headers: {}, body: Buffer.from('{}'), client, translation: 'passthrough', sniffFirstEvent: false }).then(async (result) => {
            if (result.kind === 'failed') {
              client.fail(result.error)
              return { result }
            }
            return { result, end: await result.done }
          }),
        )
      }),
    )
  })
  afterAll(async () => {
    await front.close()
    await pool.close()
    await upstream.close()
  })

  async function exchange(path: string): Promise<{ status: number; body: string; outcome: { result: AttemptResult; end?: unknown } }> {
    const res = await fetch(front.url + path).then(async (r) => ({ status: r.status, body: await r.text() })).catch(() => ({ status: 0, body: '' }))
    const outcome = await Promise.race([outcomes.at(-1)!, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('attempt never settled')), 3000))])
    return { ...res, outcome }
  }

  it('writing the head of a JSON answer throws: the attempt fails as internal_error and the client gets a 500', async () => {
    const { status, body, outcome } = await exchange('/head/json')
    expect(outcome.result).toMatchObject({ kind: 'failed', outcome: 'internal_error' })
    expect(status).toBe(500)
    expect(JSON.parse(body).error.code).toBe('internal_error')
  })

  it('writing the head of a stream throws: the same', async () => {
    const { status, outcome } = await exchange('/head/stream')
    expect(outcome.result).toMatchObject({ kind: 'failed', outcome: 'internal_error' })
    expect(status).toBe(500)
  })

  it('writing a stream chunk throws after the head went out: the stream ends and `done` settles with internal_error', async () => {
    const { status, outcome } = await exchange('/write/stream')
    expect(status).toBe(200)
    expect(outcome.result.kind).toBe('committed')
    expect(outcome.end).toMatchObject({ errorCode: 'internal_error' })
  })
})
