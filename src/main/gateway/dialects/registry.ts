// Dialect -> codec. Adding a dialect is one codec folder and one line here.
import { anthropicMessages } from './anthropicMessages'
import type { Codec, Dialect } from './codec'
import { gemini } from './gemini'
import { ollama } from './ollama'
import { openaiChat } from './openaiChat'
import { openaiResponses } from './openaiResponses'

const CODECS: Record<Dialect, Codec> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
  'openai-responses': openaiResponses,
  gemini,
  ollama,
}

export function codecFor(dialect: Dialect): Codec {
  return CODECS[dialect]
}
