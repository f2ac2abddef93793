// Real-looking upstream streams and bodies, byte for byte as each server serializes them:
// vLLM 0.6 (pydantic `model_dump_json(exclude_unset=True)`: compact, `"usage":null` on every chunk
// when include_usage is set, final chunk with `exclude_none`), current vLLM (no usage key on
// chunks), OpenAI (service_tier/system_fingerprint, `"usage":null`, detailed final usage),
// Ollama's OpenAI-compatible /v1 (omitempty: no usage key), Ollama native NDJSON and Anthropic SSE.

export const WORDS = ['Hé', 'llo', ' wörld', ' — 世界', ' 🚀', ' done.']
export const TEXT = WORDS.join('')

export type OpenAIFlavor = 'vllm-0.6' | 'vllm' | 'openai' | 'ollama-v1'

export interface OpenAIStreamOptions {
  flavor: OpenAIFlavor
  /** The upstream was asked for include_usage. */
  includeUsage: boolean
  usage?: { prompt_tokens: number; completion_tokens: number; cached?: number; reasoning?: number }
  words?: string[]
  /** Stop after this many events (a stream cut short), before [DONE]. */
  cutAfter?: number
}

export function openAIStream(o: OpenAIStreamOptions): string {
  const words = o.words ?? WORDS
  const usage = o.usage ?? { prompt_tokens: 31, completion_tokens: words.length }
  const model = o.flavor === 'openai' ? 'gpt-4o-mini-2024-07-18' : o.flavor === 'ollama-v1' ? 'llama3.2' : 'qwen2.5-7b'
  const nullUsage = o.includeUsage && (o.flavor === 'vllm-0.6' || o.flavor === 'openai')
  const head = (): string => {
    if (o.flavor === 'openai') return `"id":"chatcmpl-B9MHD","object":"chat.completion.chunk","created":1741569952,"model":"${model}","service_tier":"default","system_fingerprint":"fp_06737a9306"`
    if (o.flavor === 'ollama-v1') return `"id":"chatcmpl-512","object":"chat.completion.chunk","created":1741569952,"model":"${model}","system_fingerprint":"fp_ollama"`
    return `"id":"chatcmpl-6f1c2a","object":"chat.completion.chunk","created":1741569952,"model":"${model}"`
  }
  const choice = (delta: string, finish: string | null): string =>
    o.flavor === 'ollama-v1'
      ? `{"index":0,"delta":${delta},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}`
      : `{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}`
  const chunk = (delta: string, finish: string | null = null): string => `data: {${head()},"choices":[${choice(delta, finish)}]${nullUsage ? ',"usage":null' : ''}}\n\n`
  const events: string[] = [chunk(o.flavor === 'openai' ? '{"role":"assistant","content":"","refusal":null}' : '{"role":"assistant","content":""}')]
  for (const w of words) events.push(chunk(`{"content":${JSON.stringify(w)}}`))
  events.push(chunk('{}', 'stop'))
  if (o.includeUsage) {
    const total = usage.prompt_tokens + usage.completion_tokens
    let u: string
    if (o.flavor === 'openai') {
      u = `{"prompt_tokens":${usage.prompt_tokens},"completion_tokens":${usage.completion_tokens},"total_tokens":${total},"prompt_tokens_details":{"cached_tokens":${usage.cached ?? 0},"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":${usage.reasoning ?? 0},"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
    } else if (o.flavor === 'ollama-v1') {
      u = `{"prompt_tokens":${usage.prompt_tokens},"completion_tokens":${usage.completion_tokens},"total_tokens":${total}}`
    } else {
      // vLLM's UsageInfo field order: prompt_tokens, total_tokens, completion_tokens.
      u = `{"prompt_tokens":${usage.prompt_tokens},"total_tokens":${total},"completion_tokens":${usage.completion_tokens}${usage.cached ? `,"prompt_tokens_details":{"cached_tokens":${usage.cached}}` : ''}}`
    }
    events.push(`data: {${head()},"choices":[],"usage":${u}}\n\n`)
  }
  events.push('data: [DONE]\n\n')
  return (o.cutAfter === undefined ? events : events.slice(0, o.cutAfter)).join('')
}

export interface AnthropicUsage {
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
}

export function anthropicStream(u: AnthropicUsage, opts: { words?: string[]; cutAfterDeltas?: number } = {}): string {
  const words = opts.words ?? WORDS
  const ev = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`
  const out: string[] = [
    ev('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite ?? 0, cache_read_input_tokens: u.cacheRead ?? 0, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', { type: 'ping' }),
  ]
  const n = opts.cutAfterDeltas ?? words.length
  words.slice(0, n).forEach((w) => out.push(ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } })))
  if (opts.cutAfterDeltas !== undefined) return out.join('')
  out.push(ev('content_block_stop', { type: 'content_block_stop', index: 0 }))
  // Cumulative: an intermediate delta (as with server tools) and the final one.
  out.push(ev('message_delta', { type: 'message_delta', delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: Math.max(1, u.output - 2) } }))
  out.push(ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } }))
  out.push(ev('message_stop', { type: 'message_stop' }))
  return out.join('')
}

export function ollamaNativeStream(promptEval: number, evalCount: number, opts: { endpoint?: 'chat' | 'generate'; cut?: boolean } = {}): string {
  const at = '2025-03-10T10:00:00.000000Z'
  const lines = WORDS.map((w) =>
    opts.endpoint === 'generate'
      ? JSON.stringify({ model: 'llama3.2', created_at: at, response: w, done: false })
      : JSON.stringify({ model: 'llama3.2', created_at: at, message: { role: 'assistant', content: w }, done: false }),
  )
  if (!opts.cut) {
    const stats = { total_duration: 4883583458, load_duration: 1334875, prompt_eval_count: promptEval, prompt_eval_duration: 342546000, eval_count: evalCount, eval_duration: 4535599000 }
    lines.push(
      opts.endpoint === 'generate'
        ? JSON.stringify({ model: 'llama3.2', created_at: at, response: '', done: true, done_reason: 'stop', context: Array.from({ length: 300 }, (_, i) => i * 7), ...stats })
        : JSON.stringify({ model: 'llama3.2', created_at: at, message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, ...stats }),
    )
  }
  return lines.map((l) => `${l}\n`).join('')
}

/** Cuts bytes at `cuts` random offsets (duplicates and empty pieces allowed, as reads can be). */
export function randomSplit(bytes: Buffer, random: () => number, cuts: number): Buffer[] {
  const points = Array.from({ length: cuts }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let last = 0
  for (const p of points) {
    pieces.push(bytes.subarray(last, p))
    last = p
  }
  pieces.push(bytes.subarray(last))
  return pieces
}
