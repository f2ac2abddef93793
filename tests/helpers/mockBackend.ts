// Mock LLM backends on loopback that speak the real wire formats: vLLM / OpenAI chat
// completions (SSE with `stream_options.include_usage`), Ollama's OpenAI-compatible /v1 API with
// its quirks and native endpoints, llama.cpp's llama-server (/health, /props, /slots, /metrics
// beside its OpenAI API), and each one's error body shape.
import http from 'node:http'
import { json, listenOnLoopback, readBody } from './server'

export type Flavor = 'vllm' | 'openai' | 'ollama' | 'llamacpp'

export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown> | undefined
  rawBody: string
  /** Set when the client (the gateway) closed the connection before the response ended. */
  abortedAt?: number
  receivedAt: number
}

export interface Behavior {
  /** Words of the answer; one SSE chunk each. */
  words: string[]
  /** Delay between SSE chunks. */
  chunkDelayMs: number
  /** Delay before headers are sent. */
  headerDelayMs: number
  /** Answer every completion with this status and the flavor's error shape. */
  errorStatus?: number
  /** Take over completely (fault injection). */
  custom?: (req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown> | undefined) => void
  /** vLLM: the Prometheus text served at GET /metrics (none = 404, like a server started without it). */
  metrics?: () => string
  /** Ollama: the models reported loaded by GET /api/ps (`name`s; default none loaded). */
  loaded?: string[]
  /** llama.cpp: its slots and what they do (default 4 idle slots, 8192 tokens each, no --metrics). */
  llamacpp?: LlamacppState
}

/** A llama-server's state as its side channels report it. */
export interface LlamacppState {
  slots: number
  /** Slots processing a request. */
  busy: number
  /** Requests waiting for a slot (reported by /metrics only). */
  deferred: number
  /** Started with --metrics: /metrics answers (else 501, as the real server does). */
  metrics: boolean
  /** Still loading the model: /health answers 503. */
  loading: boolean
  /** Context per slot. */
  nCtx: number
}

export interface MockBackend {
  name: string
  flavor: Flavor
  url: string
  /** What a provider's baseUrl should be for this flavor (vLLM/OpenAI: /v1 base; Ollama: root). */
  baseUrl: string
  port: number
  requests: RecordedRequest[]
  behavior: Behavior
  usage: MockUsage
  /** Resolves when a completion request's connection was closed early by the client. */
  waitForAbort(timeoutMs?: number): Promise<RecordedRequest>
  close(): Promise<void>
}

/** Usage the mock reports; the optional details appear in bodies and usage chunks when set. */
export interface MockUsage {
  prompt_tokens: number
  completion_tokens: number
  prompt_tokens_details?: { cached_tokens: number }
  completion_tokens_details?: { reasoning_tokens: number }
}

const DEFAULT_BEHAVIOR: Behavior = { words: ['Hello', ' from', ' the', ' mock'], chunkDelayMs: 0, headerDelayMs: 0 }

export async function startMockBackend(opts: { flavor?: Flavor; name?: string; models?: string[] } = {}): Promise<MockBackend> {
  const flavor = opts.flavor ?? 'vllm'
  const name = opts.name ?? flavor
  const models = opts.models ?? [flavor === 'ollama' ? 'llama3.2:latest' : 'qwen2.5-7b']
  const requests: RecordedRequest[] = []
  const abortWaiters: Array<(r: RecordedRequest) => void> = []

  const mock: MockBackend = {
    name,
    flavor,
    url: '',
    baseUrl: '',
    port: 0,
    requests,
    behavior: { ...DEFAULT_BEHAVIOR },
    usage: { prompt_tokens: 12, completion_tokens: 4 },
    waitForAbort(timeoutMs = 2000) {
      const already = requests.find((r) => r.abortedAt !== undefined)
      if (already) return Promise.resolve(already)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no aborted request within ${timeoutMs} ms`)), timeoutMs)
        abortWaiters.push((r) => {
          clearTimeout(timer)
          resolve(r)
        })
      })
    },
    close: () => listening.close(),
  }

  const server = http.createServer((req, res) => {
    readBody(req, (rawBody, body) => {
      const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, rawBody, receivedAt: Date.now() }
      requests.push(record)
      res.on('close', () => {
        if (!res.writableFinished) {
          record.abortedAt = Date.now()
          abortWaiters.splice(0).forEach((w) => w(record))
        }
      })
      route(mock, models, req, res, body)
    })
  })
  const listening = await listenOnLoopback(server)
  mock.port = listening.port
  mock.url = listening.url
  mock.baseUrl = flavor === 'ollama' ? mock.url : `${mock.url}/v1`
  if (flavor === 'llamacpp') mock.behavior.llamacpp = { slots: 4, busy: 0, deferred: 0, metrics: false, loading: false, nCtx: 8192 }
  return mock
}

function route(mock: MockBackend, models: string[], req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown> | undefined): void {
  const path = (req.url ?? '').split('?')[0]
  const b = mock.behavior
  if (b.custom && path !== '/v1/models') return b.custom(req, res, body)
  if (req.method === 'GET' && path === '/v1/models') return json(res, 200, modelList(mock, models))
  if (mock.flavor === 'ollama' && req.method === 'GET' && path === '/api/tags') {
    return json(res, 200, { models: models.map((m) => ({ name: m, model: m, modified_at: '2026-11-01T10:00:00Z', size: 2019393189, digest: 'a80c4f17acd5', details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' } })) })
  }
  if (mock.flavor === 'ollama' && req.method === 'GET' && path === '/api/version') return json(res, 200, { version: '0.12.6' })
  if (mock.flavor === 'vllm' && req.method === 'GET' && path === '/health') return void res.writeHead(200).end()
  if (mock.flavor === 'vllm' && req.method === 'GET' && path === '/metrics' && b.metrics) {
    return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(b.metrics())
  }
  if (mock.flavor === 'ollama' && req.method === 'GET' && path === '/api/ps') {
    const expires = new Date(Date.now() + 5 * 60_000).toISOString()
    return json(res, 200, { models: (b.loaded ?? []).map((m) => ({ name: m, model: m, size: 3_338_801_804, digest: 'a80c4f17acd5', details: { format: 'gguf', family: 'llama' }, expires_at: expires, size_vram: 3_338_801_804 })) })
  }
  if (mock.flavor === 'llamacpp' && req.method === 'GET' && b.llamacpp && llamacppSideChannel(b.llamacpp, models, path, res)) return
  const endpoint = path.replace(/^\/v1/, '')
  if (req.method !== 'POST' || !['/chat/completions', '/completions', '/embeddings'].includes(endpoint)) {
    return errorResponse(mock, res, 404, `no route ${req.method} ${path}`)
  }
  const model = typeof body?.model === 'string' ? body.model : ''
  if (b.errorStatus) return void setTimeout(() => errorResponse(mock, res, b.errorStatus!, `mock failure for ${model}`), b.headerDelayMs)
  // Ollama resolves a bare name to its `:latest` tag, as the real server does.
  const known = models.includes(model) || (mock.flavor === 'ollama' && models.includes(`${model}:latest`))
  if (!known) return errorResponse(mock, res, 404, modelMissingMessage(mock.flavor, model))
  setTimeout(() => {
    if (endpoint === '/embeddings') return json(res, 200, embedding(mock, model))
    if (body?.stream === true) return void streamCompletion(mock, res, model, endpoint, body)
    json(res, 200, completion(mock, model, endpoint))
  }, b.headerDelayMs)
}

/** llama-server's side channels at its root; false for other paths. */
function llamacppSideChannel(state: LlamacppState, models: string[], path: string, res: http.ServerResponse): boolean {
  const notSupported = (what: string) => json(res, 501, { error: { code: 501, message: `This server does not support ${what} endpoint. Start it with \`--${what}\``, type: 'not_supported_error' } })
  switch (path) {
    case '/health':
      if (state.loading) json(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } })
      else json(res, 200, { status: 'ok' })
      return true
    case '/props':
      json(res, 200, {
        default_generation_settings: { id: 0, id_task: -1, n_ctx: state.nCtx, speculative: false, is_processing: false, params: { n_predict: -1, temperature: 0.8 } },
        total_slots: state.slots,
        model_path: `/models/${models[0]}`,
        chat_template: '{% for message in messages %}…{% endfor %}',
        modalities: { vision: false, audio: false },
        build_info: 'b6750-1a2b3c4d',
      })
      return true
    case '/slots':
      json(
        res,
        200,
        Array.from({ length: state.slots }, (_, id) => ({ id, id_task: id < state.busy ? 100 + id : -1, n_ctx: state.nCtx, speculative: false, is_processing: id < state.busy, params: {} })),
      )
      return true
    case '/metrics':
      if (!state.metrics) {
        notSupported('metrics')
        return true
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      res.end(
        [
          '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
          '# TYPE llamacpp:prompt_tokens_total counter',
          'llamacpp:prompt_tokens_total 1024',
          '# HELP llamacpp:requests_processing Number of requests processing.',
          '# TYPE llamacpp:requests_processing gauge',
          `llamacpp:requests_processing ${state.busy}`,
          '# HELP llamacpp:requests_deferred Number of requests deferred.',
          '# TYPE llamacpp:requests_deferred gauge',
          `llamacpp:requests_deferred ${state.deferred}`,
          '',
        ].join('\n'),
      )
      return true
    default:
      return false
  }
}

function modelMissingMessage(flavor: Flavor, model: string): string {
  if (flavor === 'ollama') return `model "${model}" not found, try pulling it first`
  return `The model \`${model}\` does not exist.`
}

function modelList(mock: MockBackend, models: string[]): unknown {
  const created = 1_732_000_000
  if (mock.flavor === 'vllm') {
    return { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'vllm', root: id, parent: null, max_model_len: 32768, permission: [] })) }
  }
  if (mock.flavor === 'llamacpp') {
    return { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 152064, n_ctx_train: 32768, n_embd: 3584, n_params: 7615616512, size: 4683073536 } })) }
  }
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: mock.flavor === 'ollama' ? 'library' : 'system' })) }
}

function completion(mock: MockBackend, model: string, endpoint: string): unknown {
  const text = mock.behavior.words.join('')
  const usage = { ...mock.usage, total_tokens: mock.usage.prompt_tokens + mock.usage.completion_tokens }
  if (endpoint === '/completions') {
    return { id: 'cmpl-mock1', object: 'text_completion', created: 1_732_000_001, model, choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop' }], usage, answeredBy: mock.name }
  }
  const base = { id: 'chatcmpl-mock1', object: 'chat.completion', created: 1_732_000_001, model }
  if (mock.flavor === 'vllm') {
    return { ...base, choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: [] }, logprobs: null, finish_reason: 'stop', stop_reason: null }], usage: { ...usage, prompt_tokens_details: usage.prompt_tokens_details ?? null }, prompt_logprobs: null, answeredBy: mock.name }
  }
  if (mock.flavor === 'ollama') {
    return { ...base, system_fingerprint: 'fp_ollama', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage, answeredBy: mock.name }
  }
  if (mock.flavor === 'llamacpp') {
    const timings = { prompt_n: usage.prompt_tokens, prompt_ms: 12.5, predicted_n: usage.completion_tokens, predicted_ms: 40.1 }
    return { ...base, system_fingerprint: 'b6750-1a2b3c4d', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage, timings, answeredBy: mock.name }
  }
  return { ...base, system_fingerprint: 'fp_mock', choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }], usage: { ...usage, prompt_tokens_details: usage.prompt_tokens_details ?? { cached_tokens: 0 }, completion_tokens_details: usage.completion_tokens_details ?? { reasoning_tokens: 0 } }, answeredBy: mock.name }
}

function embedding(mock: MockBackend, model: string): unknown {
  return { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2, 0.3] }], model, usage: { prompt_tokens: mock.usage.prompt_tokens, total_tokens: mock.usage.prompt_tokens }, answeredBy: mock.name }
}

/** The chunk sequence each server really sends, including the usage chunk when asked for. */
export function sseEvents(mock: Pick<MockBackend, 'flavor' | 'behavior' | 'usage' | 'name'>, model: string, endpoint: string, body: Record<string, unknown> | undefined): string[] {
  const includeUsage = (body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
  const created = 1_732_000_002
  const extra = mock.flavor === 'ollama' ? { system_fingerprint: 'fp_ollama' } : {}
  const usageField = mock.flavor === 'vllm' && includeUsage ? { usage: null } : {}
  const chunk = (choice: Record<string, unknown>): string =>
    endpoint === '/completions'
      ? JSON.stringify({ id: 'cmpl-mock2', object: 'text_completion', created, model, choices: [{ index: 0, text: choice.text ?? '', logprobs: null, finish_reason: choice.finish_reason ?? null }], ...usageField })
      : JSON.stringify({ id: 'chatcmpl-mock2', object: 'chat.completion.chunk', created, model, ...extra, choices: [{ index: 0, delta: choice.delta ?? {}, logprobs: null, finish_reason: choice.finish_reason ?? null }], ...usageField })
  const events: string[] = []
  if (endpoint !== '/completions') events.push(chunk({ delta: { role: 'assistant', content: '' } }))
  for (const word of mock.behavior.words) events.push(chunk(endpoint === '/completions' ? { text: word } : { delta: { content: word } }))
  events.push(chunk(endpoint === '/completions' ? { text: '', finish_reason: 'stop' } : { delta: {}, finish_reason: 'stop' }))
  if (includeUsage) {
    const usage = { ...mock.usage, total_tokens: mock.usage.prompt_tokens + mock.usage.completion_tokens }
    const object = endpoint === '/completions' ? 'text_completion' : 'chat.completion.chunk'
    events.push(JSON.stringify({ id: 'chatcmpl-mock2', object, created, model, ...extra, choices: [], usage }))
  }
  events.push('[DONE]')
  return events.map((e) => `data: ${e}\n\n`)
}

async function streamCompletion(mock: MockBackend, res: http.ServerResponse, model: string, endpoint: string, body: Record<string, unknown>): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' })
  const events = sseEvents(mock, model, endpoint, body)
  for (const event of events) {
    if (res.destroyed) return
    res.write(event)
    if (mock.behavior.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, mock.behavior.chunkDelayMs))
  }
  res.end()
}

function errorResponse(mock: MockBackend, res: http.ServerResponse, status: number, message: string): void {
  if (mock.flavor === 'vllm') {
    return json(res, status, { object: 'error', message, type: status === 404 ? 'NotFoundError' : 'BadRequestError', param: null, code: status })
  }
  if (mock.flavor === 'llamacpp') return json(res, status, { error: { code: status, message, type: status === 404 ? 'not_found_error' : status === 503 ? 'unavailable_error' : 'server_error' } })
  if (mock.flavor === 'ollama') return json(res, status, { error: { message, type: 'api_error', param: null, code: null } })
  json(res, status, { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error', param: null, code: null } })
}
