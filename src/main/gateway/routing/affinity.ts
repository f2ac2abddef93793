// The conversation key session affinity hashes on, so that every turn of one conversation lands
// on the same backend and reuses its prefix cache. In order of preference:
//   1. the `X-Switchyard-Session` header (explicit, set by the caller);
//   2. OpenAI's `prompt_cache_key` (the caller's own name for what shares a cache);
//   3. the caller's user id: OpenAI `user`, Anthropic `metadata.user_id`;
//   4. a digest of the conversation's opening: system prompt + first user message. Later turns
//      repeat that opening, so they map to the same key without any client cooperation.
// Works on OpenAI chat (`messages` with system/developer roles), Anthropic messages (`system`
// string or text blocks), OpenAI Responses (`instructions` + `input`) and completions (`prompt`).
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

export const SESSION_HEADER = 'x-switchyard-session'
const MAX_KEY_LENGTH = 512
const MAX_DIGESTED_CHARS = 256 * 1024

export function conversationKey(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | undefined {
  const header = headers[SESSION_HEADER]
  const session = (Array.isArray(header) ? header[0] : header)?.trim()
  if (session) return `s:${session.slice(0, MAX_KEY_LENGTH)}`
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') return `k:${body.prompt_cache_key.slice(0, MAX_KEY_LENGTH)}`
  const user = userId(body)
  if (user) return `u:${user.slice(0, MAX_KEY_LENGTH)}`
  const opening = conversationOpening(body)
  if (opening === undefined) return undefined
  return `c:${createHash('sha256').update(opening.slice(0, MAX_DIGESTED_CHARS)).digest('base64url').slice(0, 22)}`
}

function userId(body: Record<string, unknown>): string | undefined {
  if (typeof body.user === 'string' && body.user !== '') return body.user
  const meta = body.metadata
  if (typeof meta === 'object' && meta !== null) {
    const id = (meta as Record<string, unknown>).user_id
    if (typeof id === 'string' && id !== '') return id
  }
  return undefined
}

/** System prompt + first user message as text, or undefined when the body has neither. */
export function conversationOpening(body: Record<string, unknown>): string | undefined {
  let system = textOf(body.system) ?? textOf(body.instructions) ?? ''
  let firstUser: string | undefined
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : undefined
  if (messages) {
    for (const m of messages) {
      if (typeof m !== 'object' || m === null) continue
      const { role, content } = m as { role?: unknown; content?: unknown }
      if ((role === 'system' || role === 'developer') && system === '') system = textOf(content) ?? ''
      else if (role === 'user' && firstUser === undefined) firstUser = textOf(content)
      if (firstUser !== undefined) break
    }
  } else {
    firstUser = textOf(body.input) ?? textOf(body.prompt)
  }
  if (system === '' && firstUser === undefined) return undefined
  // A separator no prompt contains keeps ("ab","c") and ("a","bc") apart.
  return `${system}\u0000${firstUser ?? ''}`
}

/** Text of a string, an array of text parts/blocks, or an array of strings (completions prompt). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return undefined
  const parts: string[] = []
  for (const part of value) {
    if (typeof part === 'string') parts.push(part)
    else if (typeof part === 'object' && part !== null) {
      const text = (part as { text?: unknown }).text
      if (typeof text === 'string') parts.push(text)
    }
  }
  return parts.length > 0 ? parts.join('\n') : undefined
}
