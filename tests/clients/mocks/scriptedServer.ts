// What every scripted mock backend shares: a loopback server that records each request (path,
// headers, body), each model call it answered (the agent's action, the usage it reported, whether
// the answer was written to the end), and the key it requires — the gateway must send the
// provider's configured key, never the client's.
import http from 'node:http'
import { json, listenOnLoopback, readBody } from '../../helpers/server'
import { scriptedUsage, type AgentAction, type ScriptedAgent } from './agent'

/** Usage as the gateway's ledger normalizes it (RequestLogEntry's token fields). */
export interface LedgerUsage {
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  reasoningTokens: number
}

export interface RecordedCall {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown> | undefined
  rawBody: string
  at: number
}

export interface ModelCall {
  n: number
  path: string
  model: string
  stream: boolean
  action: AgentAction
  usage: LedgerUsage
  /** The answer was written to its end (false: the client went away first). */
  completed: boolean
}

export interface ScriptedOptions {
  agent: ScriptedAgent
  /** The one model it serves (each mock has a default). */
  model?: string
  /** The key it requires (each mock has a default). */
  key?: string
  /** Answer any model name (a cloud API reached directly) instead of only `model` (a local server). */
  anyModel?: boolean
}

export type Dialect = 'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'gemini'

export interface ScriptedMock {
  dialect: Dialect
  url: string
  /** The provider baseUrl a Switchyard config (or a CLI, directly) uses for this mock. */
  baseUrl: string
  /** The one model name this backend serves. */
  model: string
  /** The key it requires (as its dialect sends keys). */
  key: string
  agent: ScriptedAgent
  requests: RecordedCall[]
  modelCalls: ModelCall[]
  /** Requests it could not serve (unknown path, wrong key or model, malformed body), with the reason. */
  rejected: Array<{ path: string; status: number; reason: string }>
  close(): Promise<void>
}

export interface Handler {
  (ctx: {
    req: http.IncomingMessage
    res: http.ServerResponse
    path: string
    query: URLSearchParams
    body: Record<string, unknown> | undefined
    record: RecordedCall
    /** Ask the agent, count the call, and give the usage to report. */
    answer(model: string, stream: boolean, decide: () => AgentAction): { call: ModelCall; done(): void }
    reject(status: number, reason: string, body: unknown): void
  }): void
}

export async function startScripted(opts: { dialect: Dialect; model: string; key: string; agent: ScriptedAgent; baseUrl: (url: string) => string; handle: Handler }): Promise<ScriptedMock> {
  const requests: RecordedCall[] = []
  const modelCalls: ModelCall[] = []
  const rejected: ScriptedMock['rejected'] = []
  const server = http.createServer((req, res) => {
    readBody(req, (rawBody, body) => {
      const url = new URL(req.url ?? '/', 'http://mock')
      const record: RecordedCall = { method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body, rawBody, at: Date.now() }
      requests.push(record)
      try {
        opts.handle({
          req,
          res,
          path: url.pathname,
          query: url.searchParams,
          body,
          record,
          answer(model, stream, decide) {
            const n = modelCalls.length
            const call: ModelCall = { n, path: url.pathname, model, stream, action: decide(), usage: usageFor(n), completed: false }
            modelCalls.push(call)
            return { call, done: () => void (call.completed = true) }
          },
          reject(status, reason, payload) {
            rejected.push({ path: url.pathname, status, reason })
            json(res, status, payload)
          },
        })
      } catch (err) {
        rejected.push({ path: url.pathname, status: 500, reason: String(err) })
        if (!res.headersSent) json(res, 500, { error: { message: `scripted mock failed: ${String(err)}` } })
        else res.destroy()
      }
    })
  })
  const listening = await listenOnLoopback(server)
  return {
    dialect: opts.dialect,
    url: listening.url,
    baseUrl: opts.baseUrl(listening.url),
    model: opts.model,
    key: opts.key,
    agent: opts.agent,
    requests,
    modelCalls,
    rejected,
    close: listening.close,
  }
}

function usageFor(n: number): LedgerUsage {
  const u = scriptedUsage(n)
  return { promptTokens: u.input, completionTokens: u.output, cachedTokens: u.cached, reasoningTokens: u.reasoning }
}

/** Writes SSE frames one by one (a real server flushes per event). */
export async function writeEvents(res: http.ServerResponse, frames: string[]): Promise<boolean> {
  for (const frame of frames) {
    if (res.destroyed) return false
    res.write(frame)
    await new Promise((r) => setImmediate(r))
  }
  if (res.destroyed) return false
  res.end()
  return true
}

/** Splits a string into `parts` pieces (tool arguments arrive in deltas). */
export function split(text: string, parts = 3): string[] {
  if (text.length < parts) return [text]
  const size = Math.ceil(text.length / parts)
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

export function bearer(req: http.IncomingMessage): string | undefined {
  const h = req.headers.authorization
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined
}
