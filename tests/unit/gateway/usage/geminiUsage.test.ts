// Usage of a Gemini upstream (the `gemini` provider kind): `usageMetadata` in a whole
// generateContent body and on the events of an `alt=sse` stream (cumulative, the last wins).
import { describe, expect, it } from 'vitest'
import { UsageScanner, scanFormatFor, usageFromTail } from '../../../../src/main/gateway/usage/usageScanner'
import { usageFromJson } from '../../../../src/main/gateway/usage/usageFromJson'
import { usageProtocolOf } from '../../../../src/main/gateway/usage/types'
import { seededRandom } from '../../../helpers/random'
import { randomSplit } from './fixtures'

const chunk = (text: string, usage: object, finish = false) =>
  `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish ? { finishReason: 'STOP' } : {}) }], usageMetadata: usage, modelVersion: 'gemini-2.5-flash', responseId: 'r1' }).replace(/":/g, '": ')}\r\n\r\n`

const STREAM =
  chunk('Hello', { promptTokenCount: 1200, cachedContentTokenCount: 1000, totalTokenCount: 1200 }) +
  chunk(' "finishReason": usageMetadata', { promptTokenCount: 1200, cachedContentTokenCount: 1000, totalTokenCount: 1200 }) +
  chunk(' world', { promptTokenCount: 1200, candidatesTokenCount: 12, thoughtsTokenCount: 25, cachedContentTokenCount: 1000, totalTokenCount: 1237 }, true)

const EXPECTED = { promptTokens: 1200, completionTokens: 37, cachedTokens: 1000, cacheCreationTokens: 0, reasoningTokens: 25 }

function scan(pieces: Buffer[]) {
  const s = new UsageScanner('gemini', 'gemini-sse')
  for (const p of pieces) s.push(p)
  return s.result()
}

describe('Gemini usage', () => {
  it('the gemini dialect is read as the gemini protocol, its event streams as gemini-sse', () => {
    expect(usageProtocolOf('gemini')).toBe('gemini')
    expect(scanFormatFor('gemini', 'text/event-stream')).toBe('gemini-sse')
    expect(scanFormatFor('gemini', 'application/json; charset=UTF-8')).toBe('json')
  })

  it('reads a stream: the last usageMetadata, complete at the finishReason, however the bytes are cut', () => {
    const bytes = Buffer.from(STREAM)
    const whole = scan([bytes])
    expect(whole).toMatchObject({ usage: EXPECTED, complete: true })
    expect(whole.streamError).toBeUndefined()
    for (let i = 0; i <= bytes.length; i += 7) expect(scan([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole)
    for (let seed = 1; seed <= 50; seed++) expect(scan(randomSplit(bytes, seededRandom(seed), 12))).toEqual(whole)
  })

  it('a stream cut before its finishReason is incomplete; an error event is reported', () => {
    const cut = STREAM.slice(0, STREAM.lastIndexOf('data:'))
    expect(scan([Buffer.from(cut)])).toMatchObject({ complete: false, usage: { promptTokens: 1200, completionTokens: 0 } })
    const failed = scan([Buffer.from(`${cut}data: {"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}\r\n\r\n`)])
    expect(failed.streamError).toBe('stream_error')
  })

  it('reads a whole body, and the usageMetadata at the tail of one too big to keep', () => {
    const body = { candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 3, toolUsePromptTokenCount: 2, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }] } }
    const usage = { promptTokens: 11, completionTokens: 3, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 }
    expect(usageFromJson(body, 'gemini')).toEqual(usage)
    expect(usageFromJson({ candidates: [] }, 'gemini')).toBeUndefined()
    const text = JSON.stringify(body)
    expect(usageFromTail(text.slice(text.indexOf('"usageMetadata"') - 5), 'gemini')).toEqual(usage)
    const s = new UsageScanner('gemini', 'json')
    s.push(Buffer.from(JSON.stringify(body)))
    expect(s.result()).toMatchObject({ usage, complete: true })
  })
})
