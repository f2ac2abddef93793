// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useProviders } from '../../../src/renderer/src/composables/useProviders'
import { fakeClient, provider } from './fakeClient'

describe('useProviders', () => {
  it('loads the list and switches the active provider, then re-reads it from the gateway', async () => {
    const fake = fakeClient({ providers: [provider('a'), provider('b')], activeProvider: 'a' })
    const model = useProviders(fake.client)
    await model.refresh()
    expect(model.providers.value!.map((p) => [p.id, p.active])).toEqual([
      ['a', true],
      ['b', false],
    ])
    const switching = model.setActive('b')
    expect(model.switching.value).toBe('b')
    await switching
    expect(fake.client.setActiveProvider).toHaveBeenCalledWith({ id: 'b' })
    expect(model.switching.value).toBeUndefined()
    expect(model.providers.value!.find((p) => p.active)?.id).toBe('b')
  })

  it('ignores clicks while a switch is in flight', async () => {
    const fake = fakeClient({ providers: [provider('a'), provider('b'), provider('c')] })
    const model = useProviders(fake.client)
    const first = model.setActive('b')
    await model.setActive('c')
    await first
    expect(fake.client.setActiveProvider).toHaveBeenCalledTimes(1)
  })

  it('reports a failed switch separately from load errors, and keeps it after the refresh', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    const model = useProviders(fake.client)
    await model.setActive('ghost')
    expect(model.switchError.value).toBe('Could not switch to "ghost": no provider with id "ghost"')
    expect(model.error.value).toBeUndefined()
    expect(model.providers.value).toHaveLength(1)
  })

  it('an older answer arriving late does not overwrite a newer one', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    let releaseFirst!: () => void
    fake.client.listProviders
      .mockImplementationOnce(() => new Promise((resolve) => (releaseFirst = () => resolve({ items: [provider('stale')] }))))
      .mockImplementationOnce(async () => ({ items: [provider('fresh')] }))
    const model = useProviders(fake.client)
    const first = model.refresh()
    await model.refresh()
    releaseFirst()
    await first
    expect(model.providers.value!.map((p) => p.id)).toEqual(['fresh'])
  })

  it('load failures become a readable error', async () => {
    const fake = fakeClient()
    fake.client.listProviders.mockRejectedValueOnce(Object.assign(new Error('x'), { name: 'ApiClientError' }))
    const model = useProviders(fake.client)
    await model.refresh()
    expect(model.error.value).toBe('x')
  })
})
