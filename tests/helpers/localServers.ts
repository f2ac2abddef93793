// Mock local LLM servers on free loopback ports, each speaking its own identifying API the way
// the real one does: Ollama, vLLM, LM Studio, llama.cpp and SGLang; an OpenAI-style chat route
// on each, so a discovered server can also answer a request.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type LocalServerKind = 'ollama' | 'vllm' | 'lmstudio' | 'llamacpp' | 'sglang' | 'silent'

export interface LocalServer {
  kind: LocalServerKind
  port: number
  origin: string
  chats: number
  close(): Promise<void>
}

function routes(kind: LocalServerKind, models: string[]): Record<string, unknown> {
  const v1 = (owner: string) => ({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: owner })) })
  switch (kind) {
    case 'ollama':
      return {
        '/api/version': { version: '0.12.3' },
        '/api/tags': { models: models.map((name, i) => ({ name, model: name, size: (i + 1) * 1_000_000_000, details: { family: 'llama' } })) },
        '/api/ps': { models: [] },
        '/v1/models': v1('library'),
      }
    case 'vllm':
      return { '/version': { version: '0.11.0' }, '/v1/models': { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'vllm', max_model_len: 32768 })) }, '/health': {} }
    case 'lmstudio':
      return { '/api/v0/models': { object: 'list', data: [...models.map((id) => ({ id, object: 'model', type: 'llm', state: 'loaded' })), { id: 'text-embedding-nomic', type: 'embeddings' }] }, '/v1/models': v1('organization_owner') }
    case 'llamacpp':
      return { '/props': { default_generation_settings: { n_ctx: 8192 }, total_slots: 1, model_path: `/models/${models[0]}.gguf` }, '/v1/models': v1('llamacpp') }
    case 'sglang':
      return { '/get_model_info': { model_path: models[0], is_generation: true }, '/v1/models': v1('sglang') }
    case 'silent':
      return {}
  }
}

export async function startLocalServer(kind: LocalServerKind, models: string[] = ['llama3.2:3b', 'qwen2.5-coder:7b']): Promise<LocalServer> {
  const table = routes(kind, models)
  const state = { chats: 0 }
  const server = http.createServer((req, res) => {
    // A port that accepts and never answers: discovery must not wait on it for long.
    if (kind === 'silent') return
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!
      if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
        state.chats++
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string }
        return json(res, 200, {
          id: `chatcmpl-${kind}-${state.chats}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: `${kind} ran ${body.model}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
        })
      }
      if (req.method === 'GET' && path in table) return json(res, 200, table[path])
      json(res, 404, { error: 'not found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    kind,
    port,
    origin: `http://127.0.0.1:${port}`,
    get chats() {
      return state.chats
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
  res.end(payload)
}
