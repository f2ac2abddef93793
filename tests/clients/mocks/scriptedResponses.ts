// A scripted OpenAI Responses backend: POST /v1/responses streaming (response.created,
// response.in_progress, output_item.added, function_call_arguments.delta/done or
// content_part.added + output_text.delta/done + content_part.done, output_item.done,
// response.completed with usage incl. cached and reasoning tokens; every event with its
// sequence_number) and not; GET /v1/models. Requires `Authorization: Bearer <key>`. Input items it
// understands: messages, function_call(_output), custom_tool_call(_output); tools: function,
// custom (freeform) and namespace (nested tools, as Codex sends for its sub-agent tools).
import { json } from '../../helpers/server'
import type { AgentAction, AgentRequest, ToolInfo, ToolResultInfo } from './agent'
import { bearer, split, startScripted, writeEvents, type LedgerUsage, type ScriptedMock, type ScriptedOptions } from './scriptedServer'

type Json = Record<string, unknown>

const error = (status: number, message: string, type = 'invalid_request_error'): Json => ({ error: { message, type, param: null, code: status === 404 ? 'not_found' : null } })

export function startScriptedResponses(opts: ScriptedOptions): Promise<ScriptedMock> {
  const model = opts.model ?? 'mock-responses-model'
  const key = opts.key ?? 'sk-mock-responses-upstream'
  let responses = 0
  return startScripted({
    dialect: 'openai-responses',
    model,
    key,
    agent: opts.agent,
    baseUrl: (url) => `${url}/v1`,
    handle({ req, res, path, body, answer, reject }) {
      if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1_732_000_000, owned_by: 'system' }] })
      if (req.method !== 'POST' || path !== '/v1/responses') return reject(404, `no route ${req.method} ${path}`, error(404, `Invalid URL (${req.method} ${path})`))
      if (bearer(req) !== key) return reject(401, `wrong key ${JSON.stringify(req.headers.authorization)}`, error(401, 'Incorrect API key provided', 'invalid_api_key'))
      if (!body || (typeof body.input !== 'string' && !Array.isArray(body.input))) return reject(400, 'no input', error(400, "Missing required parameter: 'input'."))
      if (!opts.anyModel && body.model !== model) return reject(404, `model ${String(body.model)}`, error(404, `The model '${String(body.model)}' does not exist`))
      const stream = body.stream === true
      const { call, done } = answer(model, stream, () => opts.agent.decide(decodeResponsesRequest(body)))
      const id = `resp_scripted_${++responses}`
      if (!stream) {
        json(res, 200, responseObject(id, model, 'completed', [outputItem(call.action, 'completed')], call.usage))
        return done()
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
      void writeEvents(res, responseStream(id, model, call.action, call.usage)).then((ok) => ok && done())
    },
  })
}

/** Function tools at the top level and inside namespaces; custom tools as freeform. */
function toolsOf(list: unknown): ToolInfo[] {
  const tools: ToolInfo[] = []
  for (const t of (Array.isArray(list) ? list : []) as Json[]) {
    if (t.type === 'function' && typeof t.name === 'string') tools.push({ name: t.name, kind: 'function', schema: t.parameters as Json | undefined })
    else if (t.type === 'custom' && typeof t.name === 'string') tools.push({ name: t.name, kind: 'custom' })
    else if (t.type === 'namespace') tools.push(...toolsOf(t.tools))
  }
  return tools
}

/** What the agent needs from a Responses request. */
export function decodeResponsesRequest(body: Json): AgentRequest {
  const toolResults: ToolResultInfo[] = []
  for (const item of (Array.isArray(body.input) ? body.input : []) as Json[]) {
    if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') toolResults.push({ callId: String(item.call_id ?? ''), text: outputText(item.output) })
  }
  const format = (body.text as Json | undefined)?.format as Json | undefined
  const jsonSchema = format?.type === 'json_schema' ? ((format.schema as Json | undefined) ?? {}) : format?.type === 'json_object' ? {} : undefined
  return { tools: toolsOf(body.tools), toolResults, jsonSchema }
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output
  if (Array.isArray(output)) return output.map((p) => (typeof (p as Json).text === 'string' ? (p as Json).text : JSON.stringify(p))).join('\n')
  return JSON.stringify(output ?? '')
}

function usageBody(u: LedgerUsage): Json {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.promptTokens + u.completionTokens,
  }
}

function itemId(action: AgentAction): string {
  return action.kind === 'tool_call' ? `fc_${action.callId}` : 'msg_scripted'
}

function outputItem(action: AgentAction, status: 'in_progress' | 'completed'): Json {
  const done = status === 'completed'
  if (action.kind === 'tool_call' && action.toolKind === 'custom') {
    return { id: itemId(action), type: 'custom_tool_call', status, call_id: action.callId, name: action.name, input: done ? (action.input ?? '') : '' }
  }
  if (action.kind === 'tool_call') return { id: itemId(action), type: 'function_call', status, call_id: action.callId, name: action.name, arguments: done ? JSON.stringify(action.args) : '' }
  return { id: itemId(action), type: 'message', status, role: 'assistant', content: done ? [{ type: 'output_text', text: action.text, annotations: [], logprobs: [] }] : [] }
}

function responseObject(id: string, model: string, status: string, output: Json[], usage: LedgerUsage | null): Json {
  return {
    id,
    object: 'response',
    created_at: 1_732_000_003,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: usage ? usageBody(usage) : null,
    metadata: {},
  }
}

function responseStream(id: string, model: string, action: AgentAction, usage: LedgerUsage): string[] {
  let seq = 0
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`
  const frames = [ev('response.created', { response: responseObject(id, model, 'in_progress', [], null) }), ev('response.in_progress', { response: responseObject(id, model, 'in_progress', [], null) })]
  const item_id = itemId(action)
  frames.push(ev('response.output_item.added', { output_index: 0, item: outputItem(action, 'in_progress') }))
  if (action.kind === 'tool_call' && action.toolKind === 'custom') {
    for (const piece of split(action.input ?? '')) frames.push(ev('response.custom_tool_call_input.delta', { item_id, output_index: 0, delta: piece }))
    frames.push(ev('response.custom_tool_call_input.done', { item_id, output_index: 0, input: action.input ?? '' }))
  } else if (action.kind === 'tool_call') {
    const args = JSON.stringify(action.args)
    for (const piece of split(args)) frames.push(ev('response.function_call_arguments.delta', { item_id, output_index: 0, delta: piece }))
    frames.push(ev('response.function_call_arguments.done', { item_id, output_index: 0, name: action.name, arguments: args }))
  } else {
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] }
    frames.push(ev('response.content_part.added', { item_id, output_index: 0, content_index: 0, part }))
    for (const piece of split(action.text)) frames.push(ev('response.output_text.delta', { item_id, output_index: 0, content_index: 0, delta: piece, logprobs: [] }))
    frames.push(ev('response.output_text.done', { item_id, output_index: 0, content_index: 0, text: action.text, logprobs: [] }))
    frames.push(ev('response.content_part.done', { item_id, output_index: 0, content_index: 0, part: { ...part, text: action.text } }))
  }
  const finished = outputItem(action, 'completed')
  frames.push(ev('response.output_item.done', { output_index: 0, item: finished }))
  frames.push(ev('response.completed', { response: responseObject(id, model, 'completed', [finished], usage) }))
  return frames
}
