// `POST /responses/compact` for backends without it. OpenAI's endpoint takes a Responses request
// (model, input, instructions, tools, ...) and answers `{ object: "response.compaction", output }`,
// the items that replace the conversation (Codex keeps the real user messages and the compaction
// item it finds there). Any other backend is asked for a handoff summary through an ordinary
// Responses request, and the answer keeps the caller's latest user messages plus the summary as
// plain user-message items: OpenAI's `compaction` item holds encrypted content no one else can
// make, while plain items can be sent on to every backend.
import { randomUUID } from 'node:crypto'
import { GatewayError } from '../../common/errors'
import type { Json } from '../canonical'
import { invalidRequest, isRecord, records } from '../json'

const SUMMARY_INSTRUCTION = [
  'Context checkpoint: the conversation above is about to be replaced by a summary, and another model will continue the work from that summary alone.',
  'Write the handoff summary now: the goal and the constraints the user gave, what has been done so far (files, commands, decisions, results, errors),',
  'the current state, and what remains to do next. Keep exact names, paths and identifiers that matter. Answer with the summary only; call no tool.',
].join(' ')

/** What the carried-forward summary starts with, so the next model knows what it is reading. */
export const SUMMARY_PREFIX = 'Summary of the earlier part of this conversation (compacted; the turns it replaces were removed):\n\n'

/** How much of the caller's own user text is kept verbatim (~16k tokens), newest first. */
const KEPT_USER_TEXT_CHARS = 64_000

/** The compaction request's items, checked before anything is routed (a string is one user message). */
export function compactionInput(body: Record<string, unknown>): unknown[] {
  const { input } = body
  if (typeof input === 'string') return [userMessage(input)]
  if (!Array.isArray(input)) throw invalidRequest('"input" must be a string or an array of items', 'input')
  return input
}

/** The Responses request that asks the routed model for the summary: the conversation plus the ask. */
export function summaryRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: body.model,
    input: [...compactionInput(body), userMessage(SUMMARY_INSTRUCTION)],
    stream: false,
    store: false,
  }
  if (typeof body.instructions === 'string' && body.instructions !== '') out.instructions = body.instructions
  // The tools stay declared (some APIs refuse tool calls in history without them) but may not be called.
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    out.tools = body.tools
    out.tool_choice = 'none'
  }
  if (isRecord(body.reasoning)) out.reasoning = body.reasoning
  return out
}

/** A Responses answer to the summary request -> the compaction answer, in OpenAI's shape. */
export function compactionAnswer(summaryResponse: unknown, body: Record<string, unknown>): Json {
  const summary = outputText(summaryResponse).trim()
  if (summary === '') throw new GatewayError('upstream_bad_response', 'the model answered the compaction request without a summary')
  const output = [...latestUserMessages(compactionInput(body)), userMessage(SUMMARY_PREFIX + summary)]
  const answer: Json = { id: `resp_${randomUUID().replace(/-/g, '')}`, object: 'response.compaction', created_at: Math.floor(Date.now() / 1000), output }
  if (isRecord(summaryResponse) && isRecord(summaryResponse.usage)) answer.usage = summaryResponse.usage
  return answer
}

function outputText(response: unknown): string {
  if (!isRecord(response)) return ''
  return records(response.output)
    .filter((item) => item.type === 'message')
    .flatMap((item) => records(item.content))
    .flatMap((part) => (part.type === 'output_text' && typeof part.text === 'string' ? [part.text] : []))
    .join('')
}

/** The caller's user messages, newest kept first while they fit the budget, in their original order. */
function latestUserMessages(items: unknown[]): Json[] {
  const kept: Json[] = []
  let room = KEPT_USER_TEXT_CHARS
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]
    if (!isRecord(item) || item.role !== 'user' || (item.type !== undefined && item.type !== 'message')) continue
    const size = textSize(item.content)
    if (size > room) break
    room -= size
    kept.unshift(typeof item.content === 'string' ? userMessage(item.content) : { type: 'message', role: 'user', content: item.content })
  }
  return kept
}

function textSize(content: unknown): number {
  if (typeof content === 'string') return content.length
  return records(content).reduce((n, part) => n + (typeof part.text === 'string' ? part.text.length : 0), 0)
}

function userMessage(text: string): Json {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] }
}
