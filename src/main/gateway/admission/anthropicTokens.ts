// POST /v1/messages/count_tokens for backends that are not Anthropic (Anthropic-kind providers get
// the request passed through and answer with their own tokenizer). Claude's tokenizer is not
// public, so this is an estimate: gpt-tokenizer's o200k_base over every text the model would read
// (system, messages, tool calls and results, tool definitions), plus a few tokens of framing per
// message and a flat cost per image. Good enough for context budgeting, not for billing.
import { defaultTokenCounter } from './tokenCounter'
import type { AnthropicRequest } from '../dialects/anthropicMessages/wire'
import { isRecord } from '../dialects/json'

/** Per message: role marker and turn delimiters, as in OpenAI's chat-format accounting. */
const TOKENS_PER_MESSAGE = 3
/** Anthropic's vision docs: tokens ≈ width × height / 750, about 1,600 for a full-size image. */
const TOKENS_PER_IMAGE = 1600

export function countAnthropicInputTokens(body: AnthropicRequest): number {
  const texts: string[] = []
  let extra = 0
  const addBlocks = (content: unknown): void => {
    if (typeof content === 'string') {
      texts.push(content)
      return
    }
    if (!Array.isArray(content)) return
    for (const b of content) {
      if (!isRecord(b)) continue
      switch (b.type) {
        case 'text':
          if (typeof b.text === 'string') texts.push(b.text)
          break
        case 'thinking':
          if (typeof b.thinking === 'string') texts.push(b.thinking)
          break
        case 'tool_use':
          texts.push(String(b.name ?? ''), JSON.stringify(b.input ?? {}))
          break
        case 'tool_result':
          addBlocks(b.content)
          break
        case 'image':
          extra += TOKENS_PER_IMAGE
          break
        case 'document': {
          const source = isRecord(b.source) ? b.source : {}
          // Text documents are read as text; for PDFs, a rough share of the decoded size.
          if (source.type === 'text' && typeof source.data === 'string') texts.push(source.data)
          else if (typeof source.data === 'string') extra += Math.ceil((source.data.length * 3) / 4 / 8)
          break
        }
        default:
          break
      }
    }
  }
  addBlocks(body.system)
  const messages = Array.isArray(body.messages) ? body.messages : []
  for (const m of messages) {
    if (!isRecord(m)) continue
    extra += TOKENS_PER_MESSAGE
    addBlocks(m.content)
  }
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (!isRecord(tool)) continue
    texts.push(String(tool.name ?? ''), typeof tool.description === 'string' ? tool.description : '', JSON.stringify(tool.input_schema ?? {}))
  }
  return countText(texts.join('\n')) + extra
}

/** The shared counter samples long texts, so a huge prompt costs a few ms, not a stalled event loop. */
function countText(text: string): number {
  return defaultTokenCounter.count(text)
}
