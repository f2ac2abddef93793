// Continue CLI (a provider `openai` model with apiBase) through Switchyard to a local OpenAI-chat backend.
import { continueCli } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('Continue CLI', [
  { name: 'continue-cli--chat', title: 'Continue CLI -> Switchyard -> OpenAI-chat backend (passthrough): reads hello.txt with Read', command: continueCli, upstream: 'openai-chat', via: 'gateway' },
])
