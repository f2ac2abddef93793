// qwen-code (OPENAI_BASE_URL) through Switchyard to a local OpenAI-chat backend.
import { qwenCode } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('qwen-code', [
  { name: 'qwen-code--chat', title: 'qwen-code -> Switchyard -> OpenAI-chat backend (passthrough): reads hello.txt with read_file', command: qwenCode, upstream: 'openai-chat', via: 'gateway' },
])
