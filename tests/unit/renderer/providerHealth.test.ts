import { describe, expect, it } from 'vitest'
import type { ProviderHealthView, ProviderStats } from '../../../src/shared/api'
import { activeProviderDown, healthLookup, providerHealth } from '../../../src/shared/providerHealth'
import { candidateTag, targetRows } from '../../../src/renderer/src/logic/routeInsights'

const closed: ProviderHealthView = { state: 'closed', available: true, consecutiveFailures: 0 }
const open: ProviderHealthView = { state: 'open', available: false, consecutiveFailures: 3, lastError: { message: 'connect ECONNREFUSED 127.0.0.1:8000', at: 1 } }
const probeFails: ProviderHealthView = { state: 'closed', available: true, consecutiveFailures: 1, lastError: { message: 'probe failed: status 500', at: 1 }, lastProbe: { ok: false, at: 1 } }
const live = (health: ProviderStats['health'], probeFailing?: boolean) => ({ health, probeFailing })

describe('providerHealth: one verdict for every surface', () => {
  it('breaker states, a disabled provider and no information', () => {
    expect(providerHealth({ enabled: true, health: closed })).toMatchObject({ level: 'healthy', label: 'healthy', tone: 'success' })
    expect(providerHealth({ enabled: true, health: open })).toMatchObject({ level: 'down', tone: 'error', reason: 'connect ECONNREFUSED 127.0.0.1:8000' })
    expect(providerHealth({ enabled: true, health: { ...open, state: 'half-open' } })).toMatchObject({ level: 'recovering', tone: 'warning' })
    expect(providerHealth({ enabled: false, health: open })).toMatchObject({ level: 'disabled', tone: 'default' })
    expect(providerHealth({ enabled: true })).toMatchObject({ level: 'unknown', tone: 'default' })
  })

  it('a failing probe is down before the circuit opens; a success since clears it', () => {
    expect(providerHealth({ enabled: true, health: probeFails })).toMatchObject({ level: 'down', reason: 'probe failed: status 500' })
    expect(providerHealth({ enabled: true, health: { ...probeFails, consecutiveFailures: 0 } }).level).toBe('healthy')
    expect(providerHealth({ enabled: true, health: closed }, live('closed', true)).level).toBe('down')
  })

  it('the live stats beat the provider list, which is only re-read on config changes', () => {
    expect(providerHealth({ enabled: true, health: closed }, live('open')).level).toBe('down')
    expect(providerHealth({ enabled: true, health: open }, live('closed')).level).toBe('healthy')
    // A stale failed probe in the list does not outvote live stats that say nothing failed.
    expect(providerHealth({ enabled: true, health: probeFails }, live('closed')).level).toBe('healthy')
  })
})

describe('the active provider down', () => {
  const providers = [
    { id: 'ollama', name: 'Ollama', enabled: true, health: closed },
    { id: 'cloud', name: 'Cloud', enabled: true, health: closed },
  ]

  it('names it when its circuit is open or its probe fails, with the reason', () => {
    expect(activeProviderDown('ollama', providers, { ollama: live('open') })).toEqual({ id: 'ollama', name: 'Ollama', reason: undefined })
    expect(activeProviderDown('ollama', [{ ...providers[0]!, health: probeFails }], undefined)).toEqual({ id: 'ollama', name: 'Ollama', reason: 'probe failed: status 500' })
  })

  it('says nothing for a healthy, recovering or other provider, or without an active one', () => {
    expect(activeProviderDown('ollama', providers, { ollama: live('closed'), cloud: live('open') })).toBeUndefined()
    expect(activeProviderDown('ollama', providers, { ollama: live('half-open') })).toBeUndefined()
    expect(activeProviderDown(undefined, providers, { ollama: live('open') })).toBeUndefined()
  })
})

describe('Routes screen: a provider looks the same in every resolver row and insights target', () => {
  const healthOf = healthLookup([{ id: 'gpu', enabled: true, health: closed }, { id: 'cloud', enabled: true, health: closed }], { gpu: live('open'), cloud: live('closed') })

  it('a down provider is red whether the server kept it as a row\'s least-bad candidate or not', () => {
    // Row "only-gpu": gpu is the only candidate, so routing keeps it (degraded) — formerly green.
    // Row "balanced": cloud is usable, gpu is skipped — formerly amber.
    const alone = candidateTag({ provider: 'gpu', upstreamModel: 'qwen', available: true }, healthOf('gpu'))
    const skipped = candidateTag({ provider: 'gpu', upstreamModel: 'qwen', available: false }, healthOf('gpu'))
    expect(alone.tone).toBe('error')
    expect(skipped).toEqual(alone)
    expect(alone.title).toBe('gpu is down')
  })

  it('a healthy provider the balancer skips for the moment stays green and says why in the tooltip', () => {
    const tag = candidateTag({ provider: 'cloud', upstreamModel: 'gpt-4o', available: false }, healthOf('cloud'))
    expect(tag).toEqual({ level: 'healthy', tone: 'success', title: 'cloud is healthy · skipped right now (at its limits or cooling down)' })
    expect(healthOf('unknown-id').level).toBe('unknown')
  })

  it('route insights show the same verdict per target', () => {
    const target = { upstreamModel: 'qwen', local: true, enabled: true, conversations: 0, requests: 0, requests24h: 0, promptTokens24h: 0, cachedTokens24h: 0 }
    const rows = targetRows({ route: 'r', strategy: 'auto', affinity: false, since: 0, pins: [], targets: [{ ...target, provider: 'gpu' }, { ...target, provider: 'cloud' }] }, healthOf)
    expect(rows.map((r) => [r.key, r.health.level])).toEqual([
      ['gpu/qwen', 'down'],
      ['cloud/qwen', 'healthy'],
    ])
  })
})
