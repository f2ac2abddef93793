// Discovery against mock servers on free ports: each identified by its own API, a silent port
// does not hold the scan past its deadline, configured ports are probed and marked, and the
// provider drafts for what was found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configuredPorts, DiscoveryScanner, discoveryPortsFromEnv, pickDefaultModel, providerFor } from '../../../../src/main/gateway/discovery/scanner'
import { parseConfig, type Config } from '../../../../src/shared/config'
import { startLocalServer, type LocalServer } from '../../../helpers/localServers'

const servers: Record<string, LocalServer> = {}

beforeAll(async () => {
  for (const kind of ['ollama', 'vllm', 'lmstudio', 'llamacpp', 'sglang', 'silent'] as const) servers[kind] = await startLocalServer(kind)
})
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()))
})

function config(raw: unknown = {}): Config {
  const parsed = parseConfig(raw)
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config
}

describe('discovery', () => {
  it('identifies each local server by its own API, within the deadline even with a silent port', async () => {
    const ports = Object.values(servers).map((s) => s.port)
    const scanner = new DiscoveryScanner({ ports, timeoutMs: 600 })
    const t0 = Date.now()
    const view = await scanner.scan(config())
    expect(Date.now() - t0).toBeLessThan(2500)
    const byPort = new Map(view.items.map((s) => [Number(new URL(s.baseUrl).port), s]))
    expect(byPort.get(servers.ollama!.port)).toMatchObject({ kind: 'ollama', server: 'Ollama', version: '0.12.3', baseUrl: servers.ollama!.origin, models: ['llama3.2:3b', 'qwen2.5-coder:7b'] })
    expect(byPort.get(servers.vllm!.port)).toMatchObject({ kind: 'vllm', server: 'vLLM', baseUrl: `${servers.vllm!.origin}/v1` })
    expect(byPort.get(servers.lmstudio!.port)).toMatchObject({ kind: 'openai-compatible', server: 'LM Studio', models: ['llama3.2:3b', 'qwen2.5-coder:7b'] })
    expect(byPort.get(servers.llamacpp!.port)).toMatchObject({ kind: 'openai-compatible', server: 'llama.cpp' })
    expect(byPort.get(servers.sglang!.port)).toMatchObject({ kind: 'openai-compatible', server: 'SGLang' })
    expect(byPort.has(servers.silent!.port)).toBe(false)
    expect(view.items).toHaveLength(5)
    expect(scanner.view(config()).scanning).toBe(false)
  })

  it('probes the ports of configured providers too, and marks servers already configured', async () => {
    const cfg = config({ providers: [{ id: 'mine', kind: 'vllm', baseUrl: `http://127.0.0.1:${servers.vllm!.port}/v1` }] })
    expect(configuredPorts(cfg)).toEqual([servers.vllm!.port])
    const view = await new DiscoveryScanner({ ports: [servers.ollama!.port], timeoutMs: 600 }).scan(cfg)
    expect(view.items.map((s) => [s.server, s.configuredAs])).toEqual([
      ['Ollama', undefined],
      ['vLLM', 'mine'],
    ])
  })

  it('drafts a provider: free id, name, default model (largest chat model)', () => {
    const ollama = { kind: 'ollama' as const, server: 'Ollama', baseUrl: 'http://127.0.0.1:11434', models: ['nomic-embed-text', 'llama3.2:3b', 'qwen2.5-coder:14b'], modelSizes: { 'nomic-embed-text': 9e9, 'llama3.2:3b': 2e9, 'qwen2.5-coder:14b': 9e9 } }
    expect(providerFor(ollama, new Set(['ollama']))).toEqual({ id: 'ollama-2', name: 'Ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'qwen2.5-coder:14b' })
    expect(providerFor({ ...ollama, baseUrl: 'http://127.0.0.1:11500' }, new Set()).name).toBe('Ollama :11500')
    expect(pickDefaultModel({ models: ['a', 'b'] })).toBe('a')
    expect(discoveryPortsFromEnv({ SWITCHYARD_DISCOVERY_PORTS: '11434, 99999,x,1234' })).toEqual([11434, 1234])
    expect(discoveryPortsFromEnv({})).toBeUndefined()
  })
})
