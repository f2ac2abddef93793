import { describe, expect, it } from 'vitest'
import { parseConfig, type RouteConfig } from '../../../src/shared/config'
import { draftsFromConfig, knownModels, newRoute, newTarget, routesFromDrafts, validateRoutes } from '../../../src/renderer/src/logic/routeForm'
import { provider } from './fakeClient'

const routes: RouteConfig[] = [
  { model: 'local', strategy: 'least-connections', affinity: true, targets: [{ provider: 'vllm', model: 'qwen' }, { provider: 'ollama', weight: 2 }] },
  { model: 'claude-*', strategy: 'failover', affinity: false, targets: [{ provider: 'claude' }] },
]

describe('route drafts', () => {
  it('round-trip through the editor unchanged', () => {
    const drafts = draftsFromConfig(routes)
    expect(drafts[0]!.targets[1]).toMatchObject({ provider: 'ollama', model: null, weight: 2 })
    expect(routesFromDrafts(drafts)).toEqual(routes)
    // Keys are unique, so the list can be reordered and edited safely.
    const keys = drafts.flatMap((d) => [d.key, ...d.targets.map((t) => t.key)])
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('a new route is valid config once it has a provider', () => {
    const drafts = [newRoute(['a'], []), newRoute(['a'], [])]
    drafts[1]!.model = 'other'
    drafts[1]!.targets.push(newTarget('a'))
    drafts[1]!.targets[1]!.model = '  big  '
    const out = routesFromDrafts(drafts)
    expect(out[1]!.targets).toEqual([{ provider: 'a' }, { provider: 'a', model: 'big' }])
    const parsed = parseConfig({ version: 1, providers: [{ id: 'a', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }], routes: out })
    expect(parsed.ok).toBe(true)
  })

  it('names the problems per route', () => {
    const drafts = draftsFromConfig([...routes, { ...routes[0]!, model: 'local' }])
    drafts[1]!.model = ' '
    const problems = validateRoutes(drafts, ['vllm', 'ollama'])
    expect(problems.get(drafts[0]!.key)).toBeUndefined()
    expect(problems.get(drafts[1]!.key)).toContain('Enter the model')
    expect(problems.get(drafts[2]!.key)).toContain('already matches "local"')
    const missing = validateRoutes(draftsFromConfig([routes[1]!]), ['vllm'])
    expect([...missing.values()]).toEqual(['Every target needs a provider.'])
  })

  it('known models: exact route names and enabled providers’ models, no globs, no duplicates', () => {
    const list = knownModels(routes, [
      provider('vllm', { models: ['qwen'], discoveredModels: ['qwen', 'llama'] }),
      provider('off', { enabled: false, models: ['hidden'] }),
      provider('ollama', { defaultModel: 'llama3.2' }),
    ])
    expect(list).toEqual(['local', 'qwen', 'llama', 'llama3.2'])
  })
})
