// Small readers for untrusted JSON, shared by every codec: inputs come from clients and upstreams,
// so every field is checked where it is read.
import { GatewayError } from '../common/errors'
import type { Json, Usage } from './canonical'

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** A token count: a non-negative integer, 0 for anything else. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : []
}

/** Stop sequences as the dialects accept them: non-empty strings. */
export function stopList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value]
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string' && s !== '') : []
}

/** String values of a metadata map (all dialects define metadata as string -> string). */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v
  return Object.keys(out).length > 0 ? out : undefined
}

export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, param === undefined ? {} : { param })
}

export function badUpstream(what: string): GatewayError {
  return new GatewayError('upstream_bad_response', `the upstream answer is not a valid ${what}`)
}

/** Every request needs a model name: routing chose a target by it. */
export function requireModel(body: unknown): Json & { model: string } {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object')
  if (typeof body.model !== 'string' || body.model === '') throw invalidRequest('"model" is required and must be a string', 'model')
  return body as Json & { model: string }
}

/** Strips an upstream id's dialect prefix (`chatcmpl-`, `msg_`, `resp_`); undefined when there is no id. */
export function stripIdPrefix(id: unknown, prefix: string): string | undefined {
  if (typeof id !== 'string' || id === '') return undefined
  return id.startsWith(prefix) ? id.slice(prefix.length) : id
}

export function withPrefix(id: string | undefined, prefix: string, fallback: string): string {
  return id === undefined ? fallback : prefix + id
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheCreationInputTokens: 0, reasoningTokens: 0 }
}
