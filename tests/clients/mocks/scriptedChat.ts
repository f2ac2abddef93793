// A scripted OpenAI Chat Completions backend (vLLM's wire format): POST /v1/chat/completions,
// streaming (SSE chunks, tool calls as `delta.tool_calls` with arguments split across chunks, the
// usage chunk with `choices: []` only when `stream_options.include_usage` asks for it, `[DONE]`)
// and not; GET /v1/models; GET /health; GET /metrics (vLLM's scheduler gauges, read by the
// gateway's load monitor). Requires `Authorization: Bearer <key>`.
import { json } from '../../helpers/server'
import type { AgentAction, AgentRequest, ToolInfo, ToolResultInfo } from './agent'
import { bearer, split, startScripted, writeEvents, type LedgerUsage, type ScriptedMock, type ScriptedOptions } from './scriptedServer'

type Json = Record<string, unknown>

export function startScriptedChat(opts: ScriptedOptions): Promise<ScriptedMock> {
  const model = opts.model ?? 'mock-chat-model'
  const key = opts.key ?? 'sk-mock-chat-upstream'
  return startScripted({
    dialect: 'openai-chat',
    model,
    key,
    agent: opts.agent,
    baseUrl: (url) => `${url}/v1`,
    handle({ req, res, path, body, answer, reject }) {
      if (req.method === 'GET' && path === '/health') return void res.writeHead(200).end()
      if (req.method === 'GET' && path === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(vllmMetrics(model))
      if (req.method === 'GET' && path === '/v1/models') {
        return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1_732_000_000, owned_by: 'vllm', root: model, max_model_len: 131072 }] })
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') return reject(404, `no route ${req.method} ${path}`, { error: { message: `Not Found: ${path}`, type: 'NotFoundError', code: 404 } })
      if (bearer(req) !== key) return reject(401, `wrong key ${JSON.stringify(req.headers.authorization)}`, { error: { message: 'Unauthorized', type: 'AuthenticationError', code: 401 } })
      if (!body || !Array.isArray(body.messages)) return reject(400, 'no messages', { error: { message: 'messages: Field required', type: 'BadRequestError', code: 400 } })
      if (!opts.anyModel && body.model !== model) return reject(404, `model ${String(body.model)}`, { error: { message: `The model \`${String(body.model)}\` does not exist.`, type: 'NotFoundError', code: 404 } })
      const stream = body.stream === true
      const { call, done } = answer(model, stream, () => opts.agent.decide(decodeChatRequest(body)))
      if (!stream) {
        json(res, 200, chatCompletion(model, call.action, call.usage))
        return done()
      }
      const includeUsage = (body.stream_options as Json | undefined)?.include_usage === true
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
      void writeEvents(res, chatStream(model, call.action, includeUsage ? call.usage : undefined)).then((ok) => ok && done())
    },
  })
}

/** What the agent needs from a Chat Completions request. */
export function decodeChatRequest(body: Json): AgentRequest {
  const tools: ToolInfo[] = []
  for (const t of (body.tools as Json[] | undefined) ?? []) {
    const fn = t.function as Json | undefined
    if (t.type === 'function' && fn && typeof fn.name === 'string') tools.push({ name: fn.name, kind: 'function', schema: fn.parameters as Json | undefined })
  }
  const toolResults: ToolResultInfo[] = []
  for (const m of body.messages as Json[]) {
    if (m.role === 'tool') toolResults.push({ callId: String(m.tool_call_id ?? ''), text: contentText(m.content) })
  }
  const format = body.response_format as Json | undefined
  let jsonSchema: Json | undefined
  if (format?.type === 'json_schema') jsonSchema = ((format.json_schema as Json | undefined)?.schema as Json | undefined) ?? {}
  else if (format?.type === 'json_object') jsonSchema = {}
  return { tools, toolResults, jsonSchema }
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : typeof (p as Json).text === 'string' ? (p as Json).text : JSON.stringify(p))).join('\n')
  return JSON.stringify(content ?? '')
}

function usageBody(u: LedgerUsage): Json {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  }
}

function chatCompletion(model: string, action: AgentAction, usage: LedgerUsage): Json {
  const message =
    action.kind === 'tool_call'
      ? { role: 'assistant', content: null, tool_calls: [{ id: action.callId, type: 'function', function: { name: action.name, arguments: JSON.stringify(action.args) } }] }
      : { role: 'assistant', content: action.text, tool_calls: [] }
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_732_000_001,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: action.kind === 'tool_call' ? 'tool_calls' : 'stop', stop_reason: null }],
    usage: usageBody(usage),
  }
}

function chatStream(model: string, action: AgentAction, usage: LedgerUsage | undefined): string[] {
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 1_732_000_002, model }
  const usageField = usage ? { usage: null } : {}
  const frame = (delta: Json, finish: string | null = null): string => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField })}\n\n`
  const frames = [frame({ role: 'assistant', content: '' })]
  if (action.kind === 'tool_call') {
    const args = JSON.stringify(action.args)
    frames.push(frame({ tool_calls: [{ index: 0, id: action.callId, type: 'function', function: { name: action.name, arguments: '' } }] }))
    for (const piece of split(args)) frames.push(frame({ tool_calls: [{ index: 0, function: { arguments: piece } }] }))
    frames.push(frame({}, 'tool_calls'))
  } else {
    for (const piece of split(action.text)) frames.push(frame({ content: piece }))
    frames.push(frame({}, 'stop'))
  }
  if (usage) frames.push(`data: ${JSON.stringify({ ...base, choices: [], usage: usageBody(usage) })}\n\n`)
  frames.push('data: [DONE]\n\n')
  return frames
}

function vllmMetrics(model: string): string {
  const labels = `engine="0",model_name="${model}"`
  return [
    '# HELP vllm:num_requests_running Number of requests in model execution batches.',
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{${labels}} 0.0`,
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{${labels}} 0.0`,
    '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{${labels}} 0.0`,
    '',
  ].join('\n')
}
