// Gemini CLI (GOOGLE_GEMINI_BASE_URL, `gemini -p`) through Switchyard to a local OpenAI-chat backend
// and to an Anthropic backend; plus a control run straight to a Gemini mock, which proves the cases
// and their mock work while the gateway does not serve the v1beta paths yet.
import { geminiCli } from './harness/clients'
import { defineCases } from './harness/defineCases'

defineCases('Gemini CLI', [
  { name: 'gemini-cli--chat', title: 'Gemini CLI -> Switchyard -> OpenAI-chat backend (translated): reads hello.txt with read_file', command: geminiCli, upstream: 'openai-chat', via: 'gateway', requires: 'gemini' },
  { name: 'gemini-cli--anthropic', title: 'Gemini CLI -> Switchyard -> Anthropic backend (translated): reads hello.txt with read_file', command: geminiCli, upstream: 'anthropic-messages', via: 'gateway', requires: 'gemini' },
  { name: 'gemini-cli--direct', title: 'control: Gemini CLI -> Gemini mock directly, no gateway', command: geminiCli, upstream: 'gemini', via: 'direct' },
])
