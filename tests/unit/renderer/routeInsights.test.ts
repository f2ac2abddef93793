// @vitest-environment happy-dom
// The Routes screen's "Where conversations run" panel and the wording behind it.
import { afterEach, describe, expect, it } from 'vitest'
import type { RouteInsight } from '../../../src/shared/api'
import { parseConfig } from '../../../src/shared/config'
import { ago, pinLine, targetRows, visibleRoutes } from '../../../src/renderer/src/logic/routeInsights'
import { STRATEGY_HELP } from '../../../src/renderer/src/logic/routeForm'
import { fakeClient, provider } from './fakeClient'
import { byTestId, mountApp, settle } from './mountApp'

afterEach(() => {
  document.body.innerHTML = ''
})

const target = (over: Partial<RouteInsight['targets'][number]>): RouteInsight['targets'][number] => ({
  provider: 'gpu-a',
  upstreamModel: 'qwen',
  local: true,
  enabled: true,
  conversations: 0,
  requests: 0,
  requests24h: 0,
  promptTokens24h: 0,
  cachedTokens24h: 0,
  ...over,
})

const insight: RouteInsight = {
  route: 'local',
  strategy: 'auto',
  affinity: false,
  since: 0,
  targets: [
    target({ conversations: 5, requests: 40, expectedCacheHit: 0.79, requests24h: 40, promptTokens24h: 400_000, cachedTokens24h: 328_000, cacheHit24h: 0.82 }),
    target({ provider: 'gpu-b', conversations: 3, requests: 22, expectedCacheHit: 0.7, requests24h: 22, promptTokens24h: 200_000 }),
    target({ provider: 'openai', upstreamModel: 'gpt-4o-mini', local: false }),
  ],
  pins: [{ conversation: 'session agent-3', provider: 'gpu-a', upstreamModel: 'qwen', turns: 5, moves: 1, lastAt: 88_000 }],
}

describe('route insights wording', () => {
  it('prefers the cache hit the backend reported, else shows the estimate and says why', () => {
    const rows = targetRows(insight, () => ({ level: 'healthy', label: 'healthy', tone: 'success' }))
    expect(rows.map((r) => [r.label, r.kind, r.cacheHit])).toEqual([
      ['gpu-a · qwen', 'local', '82 %'],
      ['gpu-b · qwen', 'local', '≈ 70 %'],
      ['openai · gpt-4o-mini', 'cloud', '–'],
    ])
    expect(rows[1]!.cacheHitTitle).toContain('--enable-prompt-tokens-details')
  })

  it('describes a pinned conversation and how long ago it last ran', () => {
    expect(pinLine(insight.pins[0]!, 100_000)).toBe('session agent-3 → gpu-a · 5 turns, 1 move · 12 s ago')
    expect(pinLine({ ...insight.pins[0]!, turns: 1, moves: 0 }, 88_000 + 3 * 60_000)).toBe('session agent-3 → gpu-a · 1 turn · 3 min ago')
    expect(ago(2 * 3600_000)).toBe('2 h ago')
  })

  it('hides single-target routes that never carried traffic', () => {
    const lone: RouteInsight = { ...insight, route: 'solo', targets: [target({})], pins: [] }
    expect(visibleRoutes([insight, lone]).map((r) => r.route)).toEqual(['local'])
  })

  it('the route editor says what the default does', () => {
    expect(STRATEGY_HELP.auto).toMatch(/^Default\./)
    expect(STRATEGY_HELP.auto).toContain('cache')
    expect(STRATEGY_HELP.auto).toContain('Cloud targets are used only when no local one can serve')
  })
})

describe('routes screen', () => {
  it('shows where each route’s conversations run, from the API', async () => {
    const parsed = parseConfig({
      version: 1,
      providers: [
        { id: 'gpu-a', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' },
        { id: 'gpu-b', kind: 'vllm', baseUrl: 'http://127.0.0.1:8001/v1' },
      ],
      routes: [{ model: 'local', targets: [{ provider: 'gpu-a' }, { provider: 'gpu-b' }] }],
    })
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const fake = fakeClient({ providers: [provider('gpu-a'), provider('gpu-b')], config: parsed.config, routeInsights: [insight] })
    const wrapper = await mountApp(fake, 'routes')
    await settle()
    expect(fake.client.getRouteInsights).toHaveBeenCalled()
    const panel = byTestId(wrapper, 'insights-local')
    expect(panel.text()).toContain('gpu-a · qwen')
    expect(panel.text()).toContain('82 %')
    expect(panel.text()).toContain('session agent-3 → gpu-a')
    expect(byTestId(wrapper, 'strategy-help').text()).toContain('Default.')
    wrapper.unmount()
  })
})
