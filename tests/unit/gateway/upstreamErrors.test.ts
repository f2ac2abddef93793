import { describe, expect, it } from 'vitest'
import { classifyUpstreamError, normalizeUpstreamError } from '../../../src/main/gateway/forward/upstreamErrors'
import { createLogger } from '../../../src/main/gateway/common/log'
import { captureLogs } from '../../helpers/gateway'

describe('upstream error bodies', () => {
  const norm = (body: unknown, status = 400) => {
    const out = normalizeUpstreamError(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), status)
    return out && JSON.parse(out.toString())
  }
  it('passes OpenAI-shaped errors through untouched', () => {
    const body = { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } }
    expect(norm(body, 429)).toEqual(body)
  })
  it('reshapes vLLM, Ollama-native and FastAPI errors', () => {
    expect(norm({ object: 'error', message: 'bad', type: 'BadRequestError', param: null, code: 400 }).error).toEqual({ message: 'bad', type: 'BadRequestError', code: 400, param: null })
    expect(norm({ error: 'model "x" not found' }, 404).error).toMatchObject({ message: 'model "x" not found', type: 'not_found_error' })
    expect(norm({ detail: [{ loc: ['body', 'messages'], msg: 'field required' }] }, 422).error.message).toContain('field required')
    expect(norm({ weird: true }, 500).error.message).toBe('upstream answered 500')
  })
  it('refuses non-JSON', () => {
    expect(norm('<html>502 Bad Gateway</html>', 502)).toBeUndefined()
    expect(norm('"just a string"', 500)).toBeUndefined()
  })
  it('classifies transport failures', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(classifyUpstreamError(refused, 'p')).toMatchObject({ code: 'upstream_unreachable', status: 502 })
    expect(classifyUpstreamError(new Error('odd'), 'p')).toMatchObject({ code: 'upstream_error', status: 502 })
  })
})

describe('log redaction', () => {
  it('never prints keys or tokens', () => {
    const { lines, stream } = captureLogs()
    const logger = createLogger({ level: 'info', destination: stream })
    logger.info({ apiKey: 'sk-1', provider: { id: 'p', apiKey: 'sk-2' }, headers: { authorization: 'Bearer sk-3', 'x-api-key': 'sk-4' }, config: { providers: [{ apiKey: 'sk-5' }] }, adminToken: 'tok-6' }, 'test')
    const text = lines.join('\n')
    for (const secret of ['sk-1', 'sk-2', 'sk-3', 'sk-4', 'sk-5', 'tok-6']) expect(text).not.toContain(secret)
    expect(text).toContain('[redacted]')
  })
})
