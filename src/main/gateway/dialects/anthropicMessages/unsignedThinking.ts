// Thinking blocks that came from a non-Anthropic model (through the translator) carry an empty
// signature. Sent back to Anthropic on a later turn — a conversation that fails over, or a route
// that mixes local and Anthropic targets — they are rejected with a 400. They are dropped on the
// way to an Anthropic upstream; signed thinking passes untouched.

/** The body without unsigned thinking blocks, or undefined when there are none (send the bytes as they are). */
export function withoutUnsignedThinking(raw: Buffer, body: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!raw.includes('"signature":""') && !raw.includes('"signature": ""')) return undefined
  const messages = body.messages
  if (!Array.isArray(messages)) return undefined
  let changed = false
  const cleaned = messages.map((m: unknown) => {
    const msg = m as { role?: unknown; content?: unknown }
    if (msg?.role !== 'assistant' || !Array.isArray(msg.content)) return m
    const content = msg.content.filter((block: unknown) => {
      const b = block as { type?: unknown; signature?: unknown }
      const unsigned = b?.type === 'thinking' && (b.signature === '' || b.signature === undefined)
      if (unsigned) changed = true
      return !unsigned
    })
    return content.length === msg.content.length ? m : { ...msg, content }
  })
  return changed ? { ...body, messages: cleaned } : undefined
}
