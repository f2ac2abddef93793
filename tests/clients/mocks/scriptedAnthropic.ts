// A scripted Anthropic Messages backend: POST /v1/messages streaming (message_start with the
// input and cache counts, content_block_start/delta/stop with text_delta or input_json_delta split
// across events, ping, message_delta with stop_reason and output_tokens, message_stop) and not;
// POST /v1/messages/count_tokens; GET /v1/models. Requires the key (`x-api-key`, or a bearer
// token) and an `anthropic-version` header, as the real API does.
import { json } from '../../helpers/server'
import type { AgentAction, AgentRequest, ToolInfo, ToolResultInfo } from './agent'
import { bearer, split, startScripted, writeEvents, type LedgerUsage, type ScriptedMock, type ScriptedOptions } from './scriptedServer'

type Json = Record<string, unknown>

const error = (type: string, message: string): Json => ({ type: 'error', error: { type, message }, request_id: 'req_scripted' })

export function startScriptedAnthropic(opts: ScriptedOptions): Promise<ScriptedMock> {
  const model = opts.model ?? 'claude-mock-model'
  const key = opts.key ?? 'sk-ant-mock-upstream'
  return startScripted({
    dialect: 'anthropic-messages',
    model,
    key,
    agent: opts.agent,
    baseUrl: (url) => url,
    handle({ req, res, path, body, answer, reject }) {
      if (req.method === 'GET' && path === '/v1/models') {
        return json(res, 200, { data: [{ type: 'model', id: model, display_name: model, created_at: '2025-09-29T00:00:00Z' }], has_more: false, first_id: model, last_id: model })
      }
      if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) return reject(404, `no route ${req.method} ${path}`, error('not_found_error', `Not Found: ${path}`))
      // API keys come as x-api-key; newer SDKs and OAuth tokens use Authorization: Bearer, which the API also takes.
      if (req.headers['x-api-key'] !== key && bearer(req) !== key) return reject(401, `wrong key: x-api-key ${JSON.stringify(req.headers['x-api-key'])}, authorization ${JSON.stringify(req.headers.authorization)}`, error('authentication_error', 'invalid x-api-key'))
      if (typeof req.headers['anthropic-version'] !== 'string') return reject(400, 'no anthropic-version', error('invalid_request_error', 'anthropic-version: header is required'))
      if (!body || !Array.isArray(body.messages)) return reject(400, 'no messages', error('invalid_request_error', 'messages: Field required'))
      if (!opts.anyModel && body.model !== model) return reject(404, `model ${String(body.model)}`, error('not_found_error', `model: ${String(body.model)}`))
      if (path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 1000 })
      if (typeof body.max_tokens !== 'number') return reject(400, 'no max_tokens', error('invalid_request_error', 'max_tokens: Field required'))
      const stream = body.stream === true
      const { call, done } = answer(model, stream, () => opts.agent.decide(decodeAnthropicRequest(body)))
      call.usage = { ...call.usage, reasoningTokens: 0 } // Anthropic reports no reasoning count
      if (!stream) {
        json(res, 200, message(model, call.action, call.usage), { 'request-id': 'req_scripted' })
        return done()
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_scripted' })
      void writeEvents(res, messageStream(model, call.action, call.usage)).then((ok) => ok && done())
    },
  })
}

/** What the agent needs from a Messages request. */
export function decodeAnthropicRequest(body: Json): AgentRequest {
  const tools: ToolInfo[] = []
  for (const t of (body.tools as Json[] | undefined) ?? []) {
    // Server tools (web_search_..., bash_...) carry a versioned `type`; client tools have none or `custom`.
    if ((t.type === undefined || t.type === 'custom') && typeof t.name === 'string') tools.push({ name: t.name, kind: 'function', schema: t.input_schema as Json | undefined })
  }
  const toolResults: ToolResultInfo[] = []
  for (const m of body.messages as Json[]) {
    if (m.role !== 'user' || !Array.isArray(m.content)) continue
    for (const block of m.content as Json[]) {
      if (block.type === 'tool_result') toolResults.push({ callId: String(block.tool_use_id ?? ''), text: blockText(block.content) })
    }
  }
  const format = (body.output_format ?? (body.output_config as Json | undefined)?.format) as Json | undefined
  const jsonSchema = format?.type === 'json_schema' ? ((format.schema as Json | undefined) ?? {}) : undefined
  return { tools, toolResults, jsonSchema }
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((b) => (typeof (b as Json).text === 'string' ? (b as Json).text : JSON.stringify(b))).join('\n')
  return JSON.stringify(content ?? '')
}

function usageAtStart(u: LedgerUsage): Json {
  return { input_tokens: u.promptTokens - u.cachedTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: u.cachedTokens, output_tokens: 1, service_tier: 'standard' }
}

function content(action: AgentAction): Json[] {
  return action.kind === 'tool_call' ? [{ type: 'tool_use', id: action.callId, name: action.name, input: action.args }] : [{ type: 'text', text: action.text }]
}

function message(model: string, action: AgentAction, u: LedgerUsage): Json {
  return {
    id: 'msg_scripted',
    type: 'message',
    role: 'assistant',
    model,
    content: content(action),
    stop_reason: action.kind === 'tool_call' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { ...usageAtStart(u), output_tokens: u.completionTokens },
  }
}

function messageStream(model: string, action: AgentAction, u: LedgerUsage): string[] {
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  const frames = [ev('message_start', { message: { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usageAtStart(u) } })]
  if (action.kind === 'tool_call') {
    frames.push(ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: action.callId, name: action.name, input: {} } }))
    frames.push(ev('ping', {}))
    for (const piece of split(JSON.stringify(action.args))) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } }))
  } else {
    frames.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }))
    frames.push(ev('ping', {}))
    for (const piece of split(action.text)) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }))
  }
  frames.push(ev('content_block_stop', { index: 0 }))
  frames.push(ev('message_delta', { delta: { stop_reason: action.kind === 'tool_call' ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: u.completionTokens } }))
  frames.push(ev('message_stop', {}))
  return frames
}
