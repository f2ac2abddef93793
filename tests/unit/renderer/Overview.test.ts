// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { ApiClientError } from '../../../src/renderer/src/api/types'
import { fakeClient, provider, providerStats, snapshot } from './fakeClient'
import { byTestId, mountApp } from './mountApp'

const render = (fake: ReturnType<typeof fakeClient>) => mountApp(fake, 'overview')

describe('overview', () => {
  it('shows the address, the live numbers and every provider’s health and load', async () => {
    const fake = fakeClient({
      providers: [provider('vllm-a', { name: 'vLLM A', kind: 'vllm', keySet: true }), provider('ollama', { kind: 'ollama', enabled: false })],
      activeProvider: 'vllm-a',
      stats: snapshot({
        requestsTotal: 12,
        inFlight: 2,
        errorsTotal: 1,
        requestsPerSec: 1.25,
        tokensPerMin: 12_400,
        errorRate: 0.08,
        latencyMs: { p50: 420, p95: 2300 },
        providers: { 'vllm-a': providerStats({ requests: 12, inFlight: 2, errors: 1, queued: 3, health: 'closed', rpm: { used: 30, limit: 60 }, tpm: { used: 12400 } }) },
      }),
    })
    const wrapper = await render(fake)
    expect(byTestId(wrapper, 'status-state').text()).toBe('Listening')
    expect(byTestId(wrapper, 'status-url').text()).toBe('http://127.0.0.1:7171')
    expect(byTestId(wrapper, 'requests-total').text()).toBe('12')
    expect(byTestId(wrapper, 'requests-inflight').text()).toBe('2')
    expect(byTestId(wrapper, 'stat-rps').text()).toBe('1.3')
    expect(byTestId(wrapper, 'stat-tpm').text()).toBe('12.4K')
    expect(byTestId(wrapper, 'stat-latency').text()).toBe('420 ms / 2.30 s')
    expect(byTestId(wrapper, 'stat-error-rate').text()).toBe('8.0%')
    expect(byTestId(wrapper, 'stat-error-rate').attributes('style')).toContain('--n-text-color: #d03050') // 8% is red
    expect(byTestId(wrapper, 'stat-queued').text()).toBe('3 queued')

    const a = byTestId(wrapper, 'provider-row-vllm-a')
    expect(a.attributes('data-active')).toBe('true')
    expect(a.text()).toContain('vLLM A')
    expect(byTestId(wrapper, 'provider-health-vllm-a').text()).toBe('healthy')
    expect(byTestId(wrapper, 'provider-queued-vllm-a').text()).toBe('3')
    expect(a.text()).toContain('30 / 60')
    expect(byTestId(wrapper, 'provider-requests-vllm-a').text()).toBe('12')
    const o = byTestId(wrapper, 'provider-row-ollama')
    expect(o.attributes('data-active')).toBe('false')
    expect(byTestId(wrapper, 'provider-health-ollama').text()).toBe('disabled')
    expect(o.find('input[type="radio"]').attributes('disabled')).toBeDefined()

    fake.emit('stats', snapshot({ at: 2000, requestsTotal: 13, providers: { 'vllm-a': providerStats({ requests: 13, inFlight: 0, errors: 1, health: 'open' }) } }))
    await flushPromises()
    expect(byTestId(wrapper, 'requests-total').text()).toBe('13')
    expect(byTestId(wrapper, 'provider-requests-vllm-a').text()).toBe('13')
    expect(byTestId(wrapper, 'provider-health-vllm-a').text()).toBe('down')
    wrapper.unmount()
  })

  it('feeds the live charts one point per tick', async () => {
    const fake = fakeClient({ providers: [provider('a')], stats: snapshot({ at: 1000, requestsPerSec: 1 }) })
    const wrapper = await render(fake)
    for (let at = 2000; at <= 4000; at += 1000) fake.emit('stats', snapshot({ at, requestsPerSec: at / 1000 }))
    fake.emit('stats', snapshot({ at: 3500 })) // late and out of order: ignored
    await flushPromises()
    // The charts load on demand (their own chunk): the stubs get what the real ones would.
    const charts = wrapper.findAllComponents({ name: 'LiveChart' })
    expect(charts).toHaveLength(3)
    const input = (c: (typeof charts)[number], key: string): unknown => c.props(key) ?? (c.vm.$attrs as Record<string, unknown>)[key]
    expect(input(charts[0]!, 'times')).toEqual([1000, 2000, 3000, 4000])
    expect((input(charts[0]!, 'series') as { data: number[] }[])[0]!.data).toEqual([1, 2, 3, 4])
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

  it('without providers it says what to do next, and the button goes there', async () => {
    const wrapper = await render(fakeClient())
    const empty = byTestId(wrapper, 'providers-empty')
    expect(empty.text()).toContain('No providers configured yet')
    expect(empty.text()).toContain('Ollama')
    expect(byTestId(wrapper, 'requests-total').exists()).toBe(false) // no empty dials before there is anything to measure
    await byTestId(wrapper, 'empty-add-provider').trigger('click')
    await flushPromises()
    expect(window.location.hash).toBe('#/providers')
    expect(byTestId(wrapper, 'view-providers').exists()).toBe(true)
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

describe('overview: team and key pools', () => {
  it('shows the team (instances, shared or alone) and every pooled key with its state and usage', async () => {
    const key = (label: string, extra: object = {}) => ({ label, weight: 1, available: true, inFlight: 0, rpm: { used: 3, limit: 10 }, tpm: { used: 0 }, requests24h: 40, tokens24h: 1200, errors24h: 1, ...extra })
    const fake = fakeClient({
      providers: [provider('openai', { keySet: true })],
      team: {
        backend: 'redis',
        up: true,
        url: 'redis://10.0.0.5:6379',
        failMode: 'closed',
        instances: [
          { id: 'a', host: 'gw-a', version: '1.0.0', startedAt: 0, self: true },
          { id: 'b', host: 'gw-b', version: '1.0.0', startedAt: 0, seenAgoMs: 1200, self: false },
        ],
        providers: [{ provider: 'openai', decidedBy: 'team', keys: [key('alpha'), key('bravo', { available: false, trouble: 'auth', troubleStatus: 401 })] }],
      },
    })
    const wrapper = await render(fake)
    await flushPromises()
    const panel = byTestId(wrapper, 'team-panel')
    expect(panel.text()).toContain('2 instances')
    expect(panel.text()).toContain('gw-b')
    expect(byTestId(wrapper, 'team-state').text()).toBe('shared')
    expect(byTestId(wrapper, 'key-openai-alpha').text()).toContain('in use')
    expect(byTestId(wrapper, 'key-openai-alpha').text()).toContain('3 / 10')
    expect(byTestId(wrapper, 'key-openai-bravo').text()).toContain('refused (401/403)')
  })

  it('shows nothing of the kind for one machine without key pools', async () => {
    const wrapper = await render(fakeClient({ providers: [provider('ollama')] }))
    await flushPromises()
    expect(wrapper.find('[data-testid="team-panel"]').exists()).toBe(false)
  })
})
