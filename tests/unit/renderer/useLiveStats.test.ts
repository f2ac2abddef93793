// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { describe, expect, it } from 'vitest'
import { useLiveStats } from '../../../src/renderer/src/composables/useLiveStats'
import { useGatewayStatus } from '../../../src/renderer/src/composables/useGatewayStatus'
import type { UiClient } from '../../../src/renderer/src/api/types'
import { fakeClient, snapshot } from './fakeClient'

function harness(client: UiClient) {
  return defineComponent({
    setup() {
      const { stats } = useLiveStats(client)
      const { status } = useGatewayStatus(client)
      return () => h('p', `${stats.value?.requestsTotal ?? '-'} ${status.value?.activeProvider ?? '-'}`)
    },
  })
}

describe('useLiveStats / useGatewayStatus', () => {
  it('subscribe on mount, show the snapshot, follow pushed updates, and unsubscribe on unmount', async () => {
    const fake = fakeClient({ stats: snapshot({ at: 10, requestsTotal: 3 }), activeProvider: 'a' })
    expect(fake.listenerCount('stats')).toBe(0)
    const wrapper = mount(harness(fake.client))
    expect(fake.listenerCount('stats')).toBe(1)
    expect(fake.listenerCount('status')).toBe(1)
    await flushPromises()
    expect(wrapper.text()).toBe('3 a')

    fake.emit('stats', snapshot({ at: 11, requestsTotal: 4 }))
    fake.emit('status', { ...fake.status(), activeProvider: 'b' })
    await flushPromises()
    expect(wrapper.text()).toBe('4 b')

    wrapper.unmount()
    expect(fake.listenerCount('stats')).toBe(0)
    expect(fake.listenerCount('status')).toBe(0)
  })

  it('never goes back in time when the initial fetch answers after a pushed tick', async () => {
    const fake = fakeClient({ stats: snapshot({ at: 10, requestsTotal: 3 }) })
    const wrapper = mount(harness(fake.client))
    fake.emit('stats', snapshot({ at: 20, requestsTotal: 9 })) // before getStats resolved
    await flushPromises()
    expect(wrapper.text()).toMatch(/^9 /)
    wrapper.unmount()
  })

  it('a pushed status wins over a late initial fetch', async () => {
    const fake = fakeClient({ activeProvider: 'old' })
    const wrapper = mount(harness(fake.client))
    fake.emit('status', { ...fake.status(), activeProvider: 'new' })
    await flushPromises()
    expect(wrapper.text()).toMatch(/ new$/)
    wrapper.unmount()
  })
})
