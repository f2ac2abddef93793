// Scripted OpenAI-compatible answers for the protocol bridge tests, in vLLM's wire format (the
// `usage: null` field on every chunk when include_usage is on, `stop_reason` next to
// finish_reason, `reasoning_content` deltas, tool calls streamed one index at a time with the
// arguments split across chunks). Plugged into mockBackend's `custom` hook.
import type http from 'node:http'

export interface OpenAITurn {
  reasoning?: string
  /** Where reasoning goes: vLLM/DeepSeek `reasoning_content`, Ollama/vLLM >= 0.16 `reasoning`. */
  reasoningField?: 'reasoning_content' | 'reasoning'
  content?: string
  toolCalls?: Array<{ id: string; name: string; arguments: string }>
  finish?: 'stop' | 'length' | 'tool_calls' | 'content_filter'
  /** vLLM: the matched stop string (or token id). */
  stopReason?: string | number | null
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number }
  /** Stream text and arguments in pieces of this many characters. */
  pieceChars?: number
}

const CREATED = 1_732_000_002

function split(text: string, size: number): string[] {
  const out: string[] = []
  const chars = [...text]
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

function usageOf(turn: OpenAITurn): Record<string, unknown> {
  const u = turn.usage ?? { prompt_tokens: 31, completion_tokens: 9 }
  const out: Record<string, unknown> = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens }
  if (u.cached_tokens !== undefined) out.prompt_tokens_details = { cached_tokens: u.cached_tokens }
  return out
}

function finishOf(turn: OpenAITurn): string {
  return turn.finish ?? ((turn.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop')
}

export function openAICompletion(model: string, turn: OpenAITurn): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: turn.content ?? null, tool_calls: [] }
  if (turn.reasoning !== undefined) message[turn.reasoningField ?? 'reasoning_content'] = turn.reasoning
  if (turn.toolCalls) message.tool_calls = turn.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
  return {
    id: 'chatcmpl-9f1c2d3e4b5a',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishOf(turn), stop_reason: turn.stopReason ?? null }],
    usage: { prompt_tokens_details: null, ...usageOf(turn) },
    prompt_logprobs: null,
  }
}

/** The `data:` events a vLLM server sends for this turn. */
export function openAIChunks(model: string, turn: OpenAITurn, includeUsage: boolean): string[] {
  const size = turn.pieceChars ?? 4
  const usageNull = includeUsage ? { usage: null } : {}
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, stopReason?: string | number | null): string => {
    const choice: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish }
    if (finish !== null) choice.stop_reason = stopReason ?? null
    return JSON.stringify({ id: 'chatcmpl-9f1c2d3e4b5a', object: 'chat.completion.chunk', created: CREATED, model, choices: [choice], ...usageNull })
  }
  const events = [chunk({ role: 'assistant', content: '' })]
  if (turn.reasoning) for (const p of split(turn.reasoning, size)) events.push(chunk({ [turn.reasoningField ?? 'reasoning_content']: p }))
  if (turn.content) for (const p of split(turn.content, size)) events.push(chunk({ content: p }))
  ;(turn.toolCalls ?? []).forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }))
    for (const p of split(call.arguments, size)) events.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }))
  })
  events.push(chunk({ content: '' }, finishOf(turn), turn.stopReason))
  if (includeUsage) events.push(JSON.stringify({ id: 'chatcmpl-9f1c2d3e4b5a', object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: usageOf(turn) }))
  events.push('[DONE]')
  return events.map((e) => `data: ${e}\n\n`)
}

export interface ServeOptions {
  /** Delay before the response head (a model loading). */
  headerDelayMs?: number
  /** Stream: stop after this many events with a vLLM-style error event (200 already sent). */
  errorAfterEvents?: number
  /** Stream: cut the connection after this many events (after a pause, so they were delivered). */
  cutAfterEvents?: number
  /** Stream: pause between events. */
  chunkDelayMs?: number
}

/** A mockBackend `custom` handler answering chat completions with `turn` (or turn(body)). */
export function serveOpenAI(turn: OpenAITurn | ((body: Record<string, unknown>) => OpenAITurn), opts: ServeOptions = {}) {
  return (_req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown> | undefined): void => {
    const t = typeof turn === 'function' ? turn(body ?? {}) : turn
    const model = String(body?.model ?? '')
    setTimeout(async () => {
      if (body?.stream !== true) {
        const payload = JSON.stringify(openAICompletion(model, t))
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) })
        res.end(payload)
        return
      }
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
      const events = openAIChunks(model, t, includeUsage)
      for (let i = 0; i < events.length; i++) {
        if (opts.errorAfterEvents === i) {
          // vLLM's create_streaming_error_response: the ErrorResponse wrapped in "error".
          res.end(`data: ${JSON.stringify({ error: { object: 'error', message: 'CUDA out of memory while decoding', type: 'InternalServerError', param: null, code: 500 } })}\n\n`)
          return
        }
        if (opts.cutAfterEvents === i) {
          await new Promise((r) => setTimeout(r, 30))
          res.socket?.destroy()
          return
        }
        if (res.destroyed) return
        res.write(events[i])
        if (opts.chunkDelayMs) await new Promise((r) => setTimeout(r, opts.chunkDelayMs))
      }
      res.end()
    }, opts.headerDelayMs ?? 0)
  }
}
