// A minimal OpenAI-compatible backend on loopback whose answers say which backend answered.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface MockOpenAI {
  name: string
  /** The provider baseUrl for this backend (OpenAI-style /v1 base). */
  baseUrl: string
  completions: number
  close(): Promise<void>
}

export async function startMockOpenAI(name: string): Promise<MockOpenAI> {
  const state = { completions: 0 }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        return json(res, 200, { object: 'list', data: [{ id: `${name}-model`, object: 'model', owned_by: name }] })
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        state.completions++
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string }
        return json(res, 200, {
          id: `chatcmpl-${name}-${state.completions}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'unknown',
          backend: name,
          choices: [{ index: 0, message: { role: 'assistant', content: `answered by ${name}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
        })
      }
      json(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    name,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get completions() {
      return state.completions
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
