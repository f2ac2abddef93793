import { describe, expect, it } from 'vitest'
import { PROVIDER_DIALECTS, PROVIDER_KINDS } from '../../../../src/shared/config'
import { KIND_LABELS, PROVIDER_PRESETS } from '../../../../src/shared/providerPresets'
import { DIALECTS } from '../../../../src/main/gateway/dialects/codec'
import { adapterFor, maybeAdapterFor, PROVIDER_ADAPTERS } from '../../../../src/main/gateway/providers/registry'
import { spokenDialects } from '../../../../src/main/gateway/providers/providerRuntime'

describe('provider registry', () => {
  it('has one adapter per configurable kind, each under its own name', () => {
    expect(Object.keys(PROVIDER_ADAPTERS).sort()).toEqual([...PROVIDER_KINDS].sort())
    for (const kind of PROVIDER_KINDS) expect(adapterFor(kind).kind).toBe(kind)
    expect(maybeAdapterFor('sglang')).toBeUndefined()
    expect(maybeAdapterFor('toString')).toBeUndefined()
  })

  it('every kind speaks its first dialect unasked, and each dialect once', () => {
    for (const kind of PROVIDER_KINDS) {
      const dialects = adapterFor(kind).dialects
      expect(dialects.length, kind).toBeGreaterThan(0)
      expect(dialects[0]!.byDefault ?? true, kind).toBe(true)
      expect(new Set(dialects.map((d) => d.dialect)).size, kind).toBe(dialects.length)
      expect(spokenDialects({ kind, baseUrl: 'http://127.0.0.1:1/v1' })[0]).toBe(dialects[0]!.dialect)
    }
  })

  it('the config names the same dialects the codecs do', () => {
    expect([...PROVIDER_DIALECTS].sort()).toEqual([...DIALECTS].sort())
  })

  it('dashboard data: a label for every kind, presets only of registered kinds, each adapter holding its own', () => {
    expect(Object.keys(KIND_LABELS).sort()).toEqual([...PROVIDER_KINDS].sort())
    for (const p of PROVIDER_PRESETS) expect(adapterFor(p.kind).presets).toContain(p)
    const fromAdapters = PROVIDER_KINDS.flatMap((k) => adapterFor(k).presets)
    expect(fromAdapters).toHaveLength(PROVIDER_PRESETS.length)
    expect(new Set(PROVIDER_PRESETS.map((p) => p.id)).size).toBe(PROVIDER_PRESETS.length)
  })

  it('self-hosted kinds ship no prices and local timeouts; cloud kinds the reverse', () => {
    for (const kind of PROVIDER_KINDS) {
      const a = adapterFor(kind)
      if (a.locality === 'local') {
        expect(Object.keys(a.prices), kind).toEqual([])
        expect(a.defaultTimeouts.firstByteMs, kind).toBe(600_000)
      } else {
        expect(a.defaultTimeouts.firstByteMs, kind).toBe(120_000)
      }
    }
    expect(PROVIDER_KINDS.filter((k) => adapterFor(k).locality === 'local').sort()).toEqual(['llamacpp', 'ollama', 'vllm'])
  })
})
