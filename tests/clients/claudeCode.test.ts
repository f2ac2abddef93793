// Claude Code (ANTHROPIC_BASE_URL) through Switchyard: Messages passed through to an Anthropic
// backend, and translated to a local OpenAI-chat backend.
import { claudeCode } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('Claude Code', [
  { name: 'claude-code--anthropic', title: 'Claude Code -> Switchyard -> Anthropic backend (passthrough): reads hello.txt with Read', command: claudeCode, upstream: 'anthropic-messages', via: 'gateway' },
  { name: 'claude-code--chat', title: 'Claude Code -> Switchyard -> OpenAI-chat backend (translated): reads hello.txt with Read', command: claudeCode, upstream: 'openai-chat', via: 'gateway' },
])
