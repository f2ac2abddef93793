// Dialect -> codec. Adding a dialect is one codec folder and one line here.
import { anthropicMessages } from './anthropicMessages'
import type { Codec, Dialect } from './codec'
import { openaiChat } from './openaiChat'

const CODECS: Partial<Record<Dialect, Codec>> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
}

export function codecFor(dialect: Dialect): Codec {
  const codec = CODECS[dialect]
  if (!codec) throw new Error(`no codec for dialect ${dialect}`)
  return codec
}
