// opencode through Switchyard: an OpenAI-compatible provider (Chat Completions) to a chat backend,
// and its built-in `openai` provider (the Responses API) to a chat backend; plus a control run of
// the built-in provider straight to a Responses mock, which proves the case and its mock work
// while the gateway does not serve /v1/responses yet.
import { opencodeCompatible, opencodeOpenAI } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('opencode', [
  { name: 'opencode--compatible--chat', title: 'opencode (OpenAI-compatible provider) -> Switchyard -> OpenAI-chat backend (passthrough): reads hello.txt with read', command: opencodeCompatible, upstream: 'openai-chat', via: 'gateway' },
  { name: 'opencode--openai--chat', title: "opencode (built-in openai provider, Responses API) -> Switchyard -> OpenAI-chat backend (translated): reads hello.txt with read", command: opencodeOpenAI, upstream: 'openai-chat', via: 'gateway', requires: 'openai-responses' },
  { name: 'opencode--openai--direct', title: 'control: opencode (built-in openai provider) -> Responses mock directly, no gateway', command: opencodeOpenAI, upstream: 'openai-responses', via: 'direct' },
])
