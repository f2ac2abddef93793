// A scripted Gemini API backend (Google's v1beta REST as @google/genai and Gemini CLI use it):
// POST /v1beta/models/{model}:generateContent, :streamGenerateContent (SSE with `alt=sse`, else a
// JSON array), :countTokens; GET /v1beta/models. Requires the key as `x-goog-api-key` or `?key=`.
// Function calls go out as `functionCall` parts (with an id, which the API may carry), results come
// back as `functionResponse` parts. Usage is `usageMetadata`: promptTokenCount includes
// cachedContentTokenCount; candidatesTokenCount excludes thoughtsTokenCount, so the ledger's
// completion count is candidates + thoughts and its reasoning count is thoughts.
import { json } from '../../helpers/server'
import type { AgentAction, AgentRequest, ToolInfo, ToolResultInfo } from './agent'
import { split, startScripted, writeEvents, type LedgerUsage, type ScriptedMock, type ScriptedOptions } from './scriptedServer'

type Json = Record<string, unknown>

const error = (code: number, status: string, message: string): Json => ({ error: { code, message, status } })

export function startScriptedGemini(opts: ScriptedOptions): Promise<ScriptedMock> {
  const model = opts.model ?? 'gemini-mock-model'
  const key = opts.key ?? 'AIza-mock-gemini-upstream'
  return startScripted({
    dialect: 'gemini',
    model,
    key,
    agent: opts.agent,
    baseUrl: (url) => url,
    handle({ req, res, path, query, body, answer, reject }) {
      const given = req.headers['x-goog-api-key'] ?? query.get('key')
      if (req.method === 'GET' && (path === '/v1beta/models' || path === `/v1beta/models/${model}`)) {
        const info = { name: `models/${model}`, displayName: model, inputTokenLimit: 1_048_576, outputTokenLimit: 65_536, supportedGenerationMethods: ['generateContent', 'countTokens'] }
        return json(res, 200, path === '/v1beta/models' ? { models: [info] } : info)
      }
      const m = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path)
      if (req.method !== 'POST' || !m) return reject(404, `no route ${req.method} ${path}`, error(404, 'NOT_FOUND', `Not found: ${path}`))
      if (given !== key) return reject(400, `wrong key ${JSON.stringify(given)}`, error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'))
      if (!opts.anyModel && decodeURIComponent(m[1]!) !== model) return reject(404, `model ${m[1]}`, error(404, 'NOT_FOUND', `models/${m[1]} is not found for API version v1beta`))
      if (!body || !Array.isArray(body.contents)) return reject(400, 'no contents', error(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified'))
      if (m[2] === 'countTokens') return json(res, 200, { totalTokens: 1000 })
      const stream = m[2] === 'streamGenerateContent'
      const { call, done } = answer(model, stream, () => opts.agent.decide(decodeGeminiRequest(body)))
      const chunks = candidateChunks(model, call.action, call.usage)
      if (!stream) {
        json(res, 200, merged(model, call.action, call.usage))
        return done()
      }
      if (query.get('alt') === 'sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' })
        void writeEvents(res, chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`)).then((ok) => ok && done())
        return
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
      void writeEvents(res, chunks.map((c, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(c)}${i === chunks.length - 1 ? ']' : ''}`)).then((ok) => ok && done())
    },
  })
}

/** What the agent needs from a generateContent request. */
export function decodeGeminiRequest(body: Json): AgentRequest {
  const tools: ToolInfo[] = []
  for (const t of (body.tools as Json[] | undefined) ?? []) {
    for (const fn of (t.functionDeclarations as Json[] | undefined) ?? []) {
      if (typeof fn.name === 'string') tools.push({ name: fn.name, kind: 'function', schema: (fn.parametersJsonSchema ?? lowerTypes(fn.parameters)) as Json | undefined })
    }
  }
  const toolResults: ToolResultInfo[] = []
  for (const c of body.contents as Json[]) {
    for (const part of (c.parts as Json[] | undefined) ?? []) {
      const fr = part.functionResponse as Json | undefined
      if (fr) toolResults.push({ callId: typeof fr.id === 'string' ? fr.id : undefined, name: typeof fr.name === 'string' ? fr.name : undefined, text: JSON.stringify(fr.response ?? {}) })
    }
  }
  const config = (body.generationConfig ?? {}) as Json
  const jsonSchema = config.responseMimeType === 'application/json' ? ((config.responseJsonSchema ?? lowerTypes(config.responseSchema) ?? {}) as Json) : undefined
  return { tools, toolResults, jsonSchema }
}

/** Gemini's OpenAPI-style schemas spell types in capitals (STRING, OBJECT). */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes)
  if (typeof schema !== 'object' || schema === null) return schema
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'type' && typeof v === 'string' ? v.toLowerCase() : lowerTypes(v)]))
}

function usageMetadata(u: LedgerUsage): Json {
  const candidates = u.completionTokens - u.reasoningTokens
  return {
    promptTokenCount: u.promptTokens,
    candidatesTokenCount: candidates,
    cachedContentTokenCount: u.cachedTokens,
    thoughtsTokenCount: u.reasoningTokens,
    totalTokenCount: u.promptTokens + u.completionTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.promptTokens }],
  }
}

function parts(action: AgentAction): Json[] {
  return action.kind === 'tool_call' ? [{ functionCall: { id: action.callId, name: action.name, args: action.args } }] : [{ text: action.text }]
}

function merged(model: string, action: AgentAction, u: LedgerUsage): Json {
  return { candidates: [{ content: { role: 'model', parts: parts(action) }, finishReason: 'STOP', index: 0 }], usageMetadata: usageMetadata(u), modelVersion: model, responseId: 'scripted-gemini' }
}

function candidateChunks(model: string, action: AgentAction, u: LedgerUsage): Json[] {
  const base = { modelVersion: model, responseId: 'scripted-gemini' }
  if (action.kind === 'tool_call') return [merged(model, action, u)]
  const pieces = split(action.text)
  return pieces.map((text, i) => {
    const last = i === pieces.length - 1
    return { candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }], ...(last ? { usageMetadata: usageMetadata(u) } : {}), ...base }
  })
}
