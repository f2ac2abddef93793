// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import { clientKey } from '../../../src/renderer/src/api/injection'
import { ApiClientError } from '../../../src/renderer/src/api/types'
import { fakeClient, provider, providerStats, snapshot } from './fakeClient'

async function render(fake: ReturnType<typeof fakeClient>) {
  const wrapper = mount(App, { global: { provide: { [clientKey as symbol]: fake.client } }, attachTo: document.body })
  await flushPromises()
  return wrapper
}
const byTestId = (wrapper: Awaited<ReturnType<typeof render>>, id: string) => wrapper.find(`[data-testid="${id}"]`)

describe('status page', () => {
  it('shows the address, the providers with their state, and the live counters', async () => {
    const fake = fakeClient({
      providers: [provider('vllm-a', { name: 'vLLM A', kind: 'vllm', keySet: true }), provider('ollama', { kind: 'ollama', enabled: false })],
      activeProvider: 'vllm-a',
      stats: snapshot({ requestsTotal: 12, inFlight: 2, errorsTotal: 1, providers: { 'vllm-a': providerStats({ requests: 12, inFlight: 2, errors: 1 }) } }),
    })
    const wrapper = await render(fake)
    expect(byTestId(wrapper, 'status-state').text()).toBe('Listening')
    expect(byTestId(wrapper, 'status-url').text()).toBe('http://127.0.0.1:7171')
    expect(byTestId(wrapper, 'requests-total').text()).toBe('12')
    expect(byTestId(wrapper, 'requests-inflight').text()).toBe('2')

    const a = byTestId(wrapper, 'provider-row-vllm-a')
    expect(a.attributes('data-active')).toBe('true')
    expect(a.text()).toContain('vLLM A')
    expect(a.text()).toContain('vllm')
    expect(a.text()).toContain('key set')
    expect(byTestId(wrapper, 'provider-requests-vllm-a').text()).toBe('12')
    const o = byTestId(wrapper, 'provider-row-ollama')
    expect(o.attributes('data-active')).toBe('false')
    expect(o.text()).toContain('disabled')
    expect(o.text()).toContain('no key')
    expect(o.find('input[type="radio"]').attributes('disabled')).toBeDefined()

    fake.emit('stats', snapshot({ at: 2000, requestsTotal: 13, providers: { 'vllm-a': providerStats({ requests: 13, inFlight: 0, errors: 1 }) } }))
    await flushPromises()
    expect(byTestId(wrapper, 'requests-total').text()).toBe('13')
    expect(byTestId(wrapper, 'provider-requests-vllm-a').text()).toBe('13')
    wrapper.unmount()
  })

  it('choosing a provider switches the gateway and the page follows', async () => {
    const fake = fakeClient({ providers: [provider('a'), provider('b')], activeProvider: 'a' })
    const wrapper = await render(fake)
    await byTestId(wrapper, 'provider-row-b').find('input[type="radio"]').setValue(true)
    await flushPromises()
    expect(fake.client.setActiveProvider).toHaveBeenCalledWith({ id: 'b' })
    expect(byTestId(wrapper, 'provider-row-b').attributes('data-active')).toBe('true')
    expect(byTestId(wrapper, 'provider-row-a').attributes('data-active')).toBe('false')
    wrapper.unmount()
  })

  it('a change made elsewhere (tray, config file) refreshes the list via the status event', async () => {
    const fake = fakeClient({ providers: [provider('a')], activeProvider: 'a' })
    const wrapper = await render(fake)
    fake.setProviders([provider('a'), provider('c')])
    fake.emit('status', { ...fake.status(), activeProvider: 'c' })
    await flushPromises()
    expect(byTestId(wrapper, 'provider-row-c').attributes('data-active')).toBe('true')
    wrapper.unmount()
  })

  it('without providers it says what to do next', async () => {
    const wrapper = await render(fakeClient())
    const empty = byTestId(wrapper, 'providers-empty')
    expect(empty.exists()).toBe(true)
    expect(empty.text()).toContain('No providers configured yet')
    expect(empty.text()).toContain('"providers"')
    expect(empty.text()).toContain('config.json')
    wrapper.unmount()
  })

  it('an unauthorized API explains how to get the token', async () => {
    const fake = fakeClient()
    fake.client.getStatus.mockRejectedValue(new ApiClientError('unauthorized', 'missing or wrong admin token'))
    fake.client.listProviders.mockRejectedValue(new ApiClientError('unauthorized', 'missing or wrong admin token'))
    const wrapper = await render(fake)
    expect(byTestId(wrapper, 'api-error').text()).toContain('#token=')
    expect(byTestId(wrapper, 'providers-empty').exists()).toBe(false)
    wrapper.unmount()
  })

  it('a paused gateway is called out', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    const wrapper = await render(fake)
    fake.emit('status', { ...fake.status(), state: 'paused' })
    await flushPromises()
    expect(byTestId(wrapper, 'status-state').text()).toBe('Paused')
    expect(byTestId(wrapper, 'paused-notice').text()).toContain('503')
    wrapper.unmount()
  })

  it('unmounting releases every subscription', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    const wrapper = await render(fake)
    expect(fake.listenerCount('stats') + fake.listenerCount('status')).toBe(2)
    wrapper.unmount()
    expect(fake.listenerCount('stats') + fake.listenerCount('status')).toBe(0)
  })
})
