// Tool-call ids for dialects whose calls may come without one (Gemini's functionCall before `id`,
// Ollama before 0.12) and whose results name the tool instead of the call. The canonical model
// pairs every result with its call by id, so a call without an id gets one made from its place in
// the conversation (stable while the conversation only grows, so prefix caches still match), and
// a result takes the call its id names, else the oldest unanswered call of its tool's name — both
// APIs answer calls in order — else, naming nothing, the oldest unanswered call.
import type { Message } from './canonical'

export class ToolCallPairing {
  private readonly unanswered: Array<{ id: string; name: string }> = []

  /** A call's canonical id: its own, else `fallback`. */
  call(name: string, id: string | undefined, fallback: string): string {
    const callId = id !== undefined && id !== '' ? id : fallback
    this.unanswered.push({ id: callId, name })
    return callId
  }

  /** The id of the call a result answers; its own id (or `fallback`) when no call matches. */
  result(name: string | undefined, id: string | undefined, fallback: string): string {
    let i = id ? this.unanswered.findIndex((c) => c.id === id) : -1
    // gemini-cli answers id-less calls with ids of its own making: the name still pairs them.
    if (i < 0 && name) i = this.unanswered.findIndex((c) => c.name === name)
    if (i < 0 && !name && !id && this.unanswered.length > 0) i = 0
    if (i >= 0) return this.unanswered.splice(i, 1)[0]!.id
    return id || fallback
  }
}

/** Tool names by call id, for dialects whose results must name the tool (Gemini functionResponse.name, Ollama tool_name). */
export function toolNamesById(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const m of messages) {
    if (m.role !== 'assistant') continue
    for (const p of m.content) if (p.type === 'tool_call') names.set(p.id, p.name)
  }
  return names
}

/**
 * Ids for calls in an upstream answer that came without one. `seed` is something unique to the
 * answer (its response id or timestamp), so calls of different turns never share an id: clients
 * such as Claude Code keep a whole conversation's calls by id.
 */
export function answerCallId(seed: string | undefined, n: number): string {
  const clean = (seed ?? '').replace(/[^a-zA-Z0-9_-]/g, '')
  return clean === '' ? `call_${n}` : `call_${clean}_${n}`
}
