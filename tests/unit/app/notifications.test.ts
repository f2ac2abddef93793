import { describe, expect, it, vi } from 'vitest'
import { EventHub } from '../../../src/main/gateway/common/events'
import { limitReason, notificationsFor, SATURATION_COOLDOWN_MS, type WatchState } from '../../../src/main/app/notifications'
import { createNotifier } from '../../../src/main/app/notifier'
import { defaultConfig, parseProvider, type ProviderConfig } from '../../../src/shared/config'
import type { StatsSnapshot } from '../../../src/shared/api'
import { providerStats, snapshot } from './statsFixtures'

const names = new Map([
  ['ollama', 'Ollama'],
  ['vllm', 'vLLM'],
])
const healthy = snapshot({ providers: { ollama: providerStats({ health: 'closed' }), vllm: providerStats({ health: 'closed' }) } })

function step(previous: WatchState | undefined, providers: StatsSnapshot['providers'], at = 1000) {
  return notificationsFor(previous, snapshot({ at, providers }), names)
}

describe('notificationsFor', () => {
  it('announces nothing on the first snapshot (no change to report yet)', () => {
    const { notices, state } = step(undefined, { ollama: providerStats({ health: 'open', queued: 3 }) })
    expect(notices).toEqual([])
    expect(state.down).toEqual(['ollama'])
  })

  it('a provider going down, then half-open (still down), then closed again', () => {
    const base = notificationsFor(undefined, healthy, names).state
    const down = step(base, { ollama: providerStats({ health: 'open' }), vllm: providerStats({ health: 'closed' }) })
    expect(down.notices).toEqual([expect.objectContaining({ kind: 'down', providers: ['ollama'], title: 'Ollama is down' })])
    const probing = step(down.state, { ollama: providerStats({ health: 'half-open' }), vllm: providerStats({ health: 'closed' }) })
    expect(probing.notices).toEqual([])
    const back = step(probing.state, { ollama: providerStats({ health: 'closed' }), vllm: providerStats({ health: 'closed' }) })
    expect(back.notices).toEqual([expect.objectContaining({ kind: 'up', providers: ['ollama'], title: 'Ollama is back up' })])
  })

  it('several providers failing at once make one notification', () => {
    const base = notificationsFor(undefined, healthy, names).state
    const { notices } = step(base, { ollama: providerStats({ health: 'open' }), vllm: providerStats({ health: 'open' }) })
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ kind: 'down', providers: ['ollama', 'vllm'], title: '2 providers are down' })
    expect(notices[0]!.body).toContain('Ollama, vLLM')
  })

  it('a removed provider does not "come back up"', () => {
    const base = step(undefined, { ollama: providerStats({ health: 'open' }) }).state
    expect(step(base, {}).notices).toEqual([])
  })

  it('saturation: announced when requests start queueing, with the limit that holds them, at most once per cooldown', () => {
    const base = notificationsFor(undefined, healthy, names).state
    const full = providerStats({ health: 'closed', queued: 4, rpm: { used: 60, limit: 60 } })
    const first = step(base, { ollama: full }, 10_000)
    expect(first.notices).toEqual([
      { kind: 'saturated', providers: ['ollama'], title: 'Ollama is at its limit', body: '4 requests are waiting (60/60 requests per minute).' },
    ])
    const still = step(first.state, { ollama: full }, 11_000)
    expect(still.notices).toEqual([])
    const drained = step(still.state, { ollama: providerStats({ health: 'closed' }) }, 12_000)
    expect(drained.notices).toEqual([])
    // Queueing again soon after: not repeated within the cooldown...
    expect(step(drained.state, { ollama: full }, 13_000).notices).toEqual([])
    // ...but after it.
    expect(step(drained.state, { ollama: full }, 10_000 + SATURATION_COOLDOWN_MS).notices).toHaveLength(1)
  })

  it('limit reasons name the limit that is reached', () => {
    expect(limitReason(providerStats({ tpm: { used: 5000, limit: 4000 } }))).toBe('5000/4000 tokens per minute')
    expect(limitReason(providerStats({ inFlight: 2, maxConcurrent: 2 }))).toBe('2/2 concurrent')
    expect(limitReason(providerStats({}))).toBe('its limits are reached')
  })
})

describe('notifier', () => {
  it('shows notices only when enabled, and keeps watching while disabled', () => {
    const events = new EventHub()
    let enabled = false
    const show = vi.fn()
    const ollama = (parseProvider({ id: 'ollama', name: 'Ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }) as { provider: ProviderConfig }).provider
    const config = { ...defaultConfig(), providers: [ollama] }
    const stop = createNotifier({ events, configStore: { get: () => config }, enabled: () => enabled, show })
    events.emit('stats', snapshot({ providers: { ollama: providerStats({ health: 'closed' }) } }))
    events.emit('stats', snapshot({ providers: { ollama: providerStats({ health: 'open' }) } }))
    expect(show).not.toHaveBeenCalled()
    enabled = true
    // Turning notifications on does not replay the change seen while they were off.
    events.emit('stats', snapshot({ providers: { ollama: providerStats({ health: 'open' }) } }))
    expect(show).not.toHaveBeenCalled()
    events.emit('stats', snapshot({ providers: { ollama: providerStats({ health: 'closed' }) } }))
    expect(show).toHaveBeenCalledWith(expect.objectContaining({ kind: 'up', title: 'Ollama is back up' }))
    stop()
    expect(events.count('stats')).toBe(0)
  })
})
