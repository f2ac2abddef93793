// A mock of Google's Generative Language API (v1beta) on loopback, in its real wire format:
// POST /v1beta/models/{model}:generateContent (JSON) and :streamGenerateContent?alt=sse (SSE with
// `\r\n\r\n` between events, every event a whole GenerateContentResponse, the prompt counted from
// the first chunk, the full usageMetadata and the finishReason on the last), GET /v1beta/models
// (paged with nextPageToken), and errors as `{"error":{code,message,status,details}}` — a spent
// quota is 429 RESOURCE_EXHAUSTED with a google.rpc.RetryInfo. Only `x-goog-api-key` is accepted
// as the key (400 API_KEY_INVALID otherwise); a `key=` in the query is recorded, so a test can
// prove the gateway never puts it there.
import http from 'node:http'
import { json, listenOnLoopback, readBody } from './server'

export interface GeminiUsage {
  promptTokenCount: number
  candidatesTokenCount: number
  thoughtsTokenCount?: number
  cachedContentTokenCount?: number
}

export interface GeminiBehavior {
  /** The answer's text, one SSE event per piece. */
  pieces: string[]
  usage: GeminiUsage
  /** Answer generation with 429 RESOURCE_EXHAUSTED and this retryDelay (seconds). */
  quotaExhaustedRetrySec?: number
}

export interface RecordedGeminiRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown> | undefined
}

export interface MockGemini {
  url: string
  /** A provider baseUrl for it: the API root, as Google's SDKs take it. */
  baseUrl: string
  key: string
  requests: RecordedGeminiRequest[]
  behavior: GeminiBehavior
  close(): Promise<void>
}

const googleError = (code: number, status: string, message: string, details?: unknown[]): object => ({ error: { code, message, status, ...(details ? { details } : {}) } })

export async function startMockGemini(opts: { models?: string[]; key?: string } = {}): Promise<MockGemini> {
  const models = opts.models ?? ['gemini-2.5-flash']
  const key = opts.key ?? 'AIza-mock-key'
  const mock: MockGemini = {
    url: '',
    baseUrl: '',
    key,
    requests: [],
    behavior: { pieces: ['Hello', ' from', ' Gemini'], usage: { promptTokenCount: 8, candidatesTokenCount: 12, thoughtsTokenCount: 25 } },
    close: () => listening.close(),
  }
  const server = http.createServer((req, res) => {
    readBody(req, (_raw, body) => {
      const url = new URL(req.url ?? '/', 'http://mock')
      mock.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body })
      route(mock, models, req, res, url, body)
    })
  })
  const listening = await listenOnLoopback(server)
  mock.url = listening.url
  mock.baseUrl = listening.url
  return mock
}

function route(mock: MockGemini, models: string[], req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Record<string, unknown> | undefined): void {
  if (req.headers['x-goog-api-key'] !== mock.key) {
    return json(res, 400, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]))
  }
  if (req.method === 'GET' && url.pathname === '/v1beta/models') return listModels(models, url, res)
  const m = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname)
  if (req.method !== 'POST' || !m) return json(res, 404, googleError(404, 'NOT_FOUND', `Not found: ${url.pathname}`))
  const model = decodeURIComponent(m[1]!)
  if (!models.includes(model)) return json(res, 404, googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for generateContent.`))
  if (!body || !Array.isArray(body.contents) || body.contents.length === 0) {
    return json(res, 400, googleError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified'))
  }
  const b = mock.behavior
  if (b.quotaExhaustedRetrySec !== undefined) {
    return json(
      res,
      429,
      googleError(429, 'RESOURCE_EXHAUSTED', `You exceeded your current quota, please check your plan and billing details. Please retry in ${b.quotaExhaustedRetrySec}.5s.`, [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count', quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute', quotaValue: '1000000' }] },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${b.quotaExhaustedRetrySec}s` },
      ]),
    )
  }
  const base = { modelVersion: model, responseId: 'mock-gemini-response-1' }
  if (m[2] === 'generateContent') {
    return json(res, 200, { candidates: [{ content: { role: 'model', parts: [{ text: b.pieces.join('') }] }, finishReason: 'STOP', index: 0 }], usageMetadata: usageMetadata(b.usage, true), ...base })
  }
  if (url.searchParams.get('alt') !== 'sse') return json(res, 400, googleError(400, 'INVALID_ARGUMENT', 'this mock streams only with alt=sse'))
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' })
  b.pieces.forEach((text, i) => {
    const last = i === b.pieces.length - 1
    const chunk = { candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }], usageMetadata: usageMetadata(b.usage, last), ...base }
    // Google's own spacing: `"key": value`.
    res.write(`data: ${JSON.stringify(chunk).replace(/":/g, '": ')}\r\n\r\n`)
  })
  res.end()
}

/** Every chunk counts the prompt; the candidates and thoughts only the last one. */
function usageMetadata(u: GeminiUsage, final: boolean): object {
  const out: Record<string, unknown> = { promptTokenCount: u.promptTokenCount }
  let total = u.promptTokenCount
  if (final) {
    out.candidatesTokenCount = u.candidatesTokenCount
    total += u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0)
    if (u.thoughtsTokenCount !== undefined) out.thoughtsTokenCount = u.thoughtsTokenCount
  }
  if (u.cachedContentTokenCount !== undefined) out.cachedContentTokenCount = u.cachedContentTokenCount
  out.totalTokenCount = total
  out.promptTokensDetails = [{ modality: 'TEXT', tokenCount: u.promptTokenCount }]
  return out
}

function listModels(models: string[], url: URL, res: http.ServerResponse): void {
  // One model per page, so paging is exercised.
  const index = Number(url.searchParams.get('pageToken') ?? '0')
  const model = models[index]
  const info = model && { name: `models/${model}`, version: '001', displayName: model, inputTokenLimit: 1_048_576, outputTokenLimit: 65_536, supportedGenerationMethods: ['generateContent', 'countTokens'] }
  json(res, 200, { models: info ? [info] : [], ...(index + 1 < models.length ? { nextPageToken: String(index + 1) } : {}) })
}
