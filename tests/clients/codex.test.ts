// Codex CLI (`codex exec`, a custom model provider with wire_api = "responses") through Switchyard
// to a chat backend, a Responses backend and an Anthropic backend; plus a control run straight to
// a Responses mock, which proves the cases and their mocks work while the gateway does not serve
// /v1/responses yet.
import { codex } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('Codex CLI', [
  { name: 'codex--chat', title: 'Codex CLI -> Switchyard -> OpenAI-chat backend (translated): reads hello.txt with its shell tool', command: codex, upstream: 'openai-chat', via: 'gateway', requires: 'openai-responses' },
  { name: 'codex--responses', title: 'Codex CLI -> Switchyard -> OpenAI Responses backend (passthrough): reads hello.txt with its shell tool', command: codex, upstream: 'openai-responses', via: 'gateway', requires: 'openai-responses' },
  { name: 'codex--anthropic', title: 'Codex CLI -> Switchyard -> Anthropic backend (translated): reads hello.txt with its shell tool', command: codex, upstream: 'anthropic-messages', via: 'gateway', requires: 'openai-responses' },
  { name: 'codex--direct', title: 'control: Codex CLI -> Responses mock directly, no gateway', command: codex, upstream: 'openai-responses', via: 'direct' },
])
