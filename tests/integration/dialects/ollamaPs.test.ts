// GET /api/ps through Switchyard: an Ollama-only tool (the `ollama` npm client) sees the models the
// gateway's Ollama providers report loaded right now (their own /api/ps, read by the load
// monitor), in Ollama's format; nothing when no Ollama provider reports any.
import { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../../helpers/gateway'
import { request } from '../../helpers/http'
import { startMockBackend, type MockBackend } from '../../helpers/mockBackend'
import { sleep } from '../../helpers/wait'

const fast = { loadIntervalMs: 50, probeIntervalMs: 60_000, discoveryIntervalMs: 60_000 }

/** Polls an async condition (the load monitor reads every 50 ms). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not met within ${timeoutMs} ms`)
    await sleep(20)
  }
}

describe('GET /api/ps', () => {
  let first: MockBackend
  let second: MockBackend
  let vllm: MockBackend
  let gw: TestGateway
  let ollama: Ollama

  beforeAll(async () => {
    first = await startMockBackend({ flavor: 'ollama', models: ['llama3.2:latest'] })
    second = await startMockBackend({ flavor: 'ollama', models: ['llama3.2:latest', 'qwen2.5:7b'] })
    vllm = await startMockBackend({ flavor: 'vllm', models: ['qwen'] })
    first.behavior.loaded = ['llama3.2:latest']
    second.behavior.loaded = ['qwen2.5:7b', 'llama3.2:latest']
    gw = await startTestGateway(
      {
        providers: [
          { id: 'o1', kind: 'ollama', baseUrl: first.baseUrl },
          { id: 'o2', kind: 'ollama', baseUrl: second.baseUrl },
          { id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen'] },
        ],
      },
      { sideChannels: true, routing: fast },
    )
    ollama = new Ollama({ host: gw.url })
  })
  afterAll(async () => {
    await gw.close()
    await Promise.all([first.close(), second.close(), vllm.close()])
  })

  it("lists the models loaded on the Ollama providers, once each, in Ollama's format", async () => {
    await eventually(async () => (await ollama.ps()).models.length === 2)
    const { models } = await ollama.ps()
    expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'qwen2.5:7b'])
    const llama = models[0]!
    expect(llama).toMatchObject({ model: 'llama3.2:latest', size: 3_338_801_804, digest: 'a80c4f17acd5', size_vram: 3_338_801_804 })
    expect(llama.details).toMatchObject({ format: 'gguf', family: 'llama', families: ['llama'] })
    // The backend's own expiry (five minutes from its answer), not a made-up one.
    const expires = new Date(llama.expires_at).getTime()
    expect(expires).toBeGreaterThan(Date.now() + 4 * 60_000)
    expect(expires).toBeLessThan(Date.now() + 6 * 60_000)
  })

  it('follows what the backends report: an unloaded model leaves the list', async () => {
    second.behavior.loaded = ['llama3.2:latest']
    await eventually(async () => (await ollama.ps()).models.length === 1)
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['llama3.2:latest'])
    first.behavior.loaded = []
    second.behavior.loaded = []
    await eventually(async () => (await ollama.ps()).models.length === 0)
  })

  it('is an empty list without an Ollama provider', async () => {
    const plain = await startTestGateway({ providers: [{ id: 'vllm', kind: 'vllm', baseUrl: vllm.baseUrl, models: ['qwen'] }] }, { sideChannels: true, routing: fast })
    try {
      const res = await request(plain.url, { path: '/api/ps' })
      expect(res.status).toBe(200)
      expect(res.json()).toEqual({ models: [] })
    } finally {
      await plain.close()
    }
  })
})
