// @vitest-environment happy-dom
// Usage, requests, routes and settings screens against the fake client.
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { UsageRow } from '../../../src/shared/api'
import { parseConfig } from '../../../src/shared/config'
import { useUsage } from '../../../src/renderer/src/composables/useUsage'
import { fakeClient, logEntry, provider } from './fakeClient'
import { byTestId, inBody, mountApp, settle } from './mountApp'

afterEach(() => {
  document.body.innerHTML = ''
})

const usageRows = (query: { groupBy?: string }): UsageRow[] => {
  const base = { requests: 2, promptTokens: 100, completionTokens: 50, totalTokens: 150, costUsd: 0.25 }
  if (query.groupBy === 'provider') return [{ ...base, provider: 'alpha' }, { ...base, provider: 'beta', totalTokens: 900 }]
  if (query.groupBy === 'app') return [{ ...base, app: 'aider' }]
  return []
}

describe('usage', () => {
  it('asks for chart and table rows per range and grouping, and exports what it shows', async () => {
    const fake = fakeClient({ usage: usageRows })
    const download = vi.fn()
    const model = useUsage(fake.client, { now: () => new Date(2026, 4, 10, 12), download })
    await model.load()
    const calls = fake.client.getUsage.mock.calls.map(([q]) => q.groupBy)
    expect(calls).toEqual(['day,provider', 'provider'])
    expect(model.tableRows.value?.map((r) => r.provider)).toEqual(['alpha', 'beta'])
    model.dimension.value = 'app'
    model.preset.value = 'today'
    await settle()
    expect(fake.client.getUsage).toHaveBeenLastCalledWith(expect.objectContaining({ groupBy: 'app' }))
    expect(fake.client.getUsage.mock.calls.map(([q]) => q.groupBy)).toContain('hour,app')
    expect(model.tableRows.value?.map((r) => r.app)).toEqual(['aider'])
    await model.exportAs('csv')
    expect(fake.client.exportUsage).toHaveBeenCalledWith({ format: 'csv', from: model.range.value.from, to: model.range.value.to })
    expect(download).toHaveBeenCalledWith(expect.objectContaining({ filename: 'switchyard-usage-2026-05-01.csv' }))
  })

  it('the screen shows totals and the table; empty ranges say what to do', async () => {
    const wrapper = await mountApp(fakeClient({ usage: usageRows }), 'usage')
    expect(byTestId(wrapper, 'usage-total-requests').text()).toBe('4')
    expect(byTestId(wrapper, 'usage-total-tokens').text()).toBe('1,050')
    expect(byTestId(wrapper, 'usage-total-cost').text()).toBe('$0.50')
    const table = byTestId(wrapper, 'usage-table')
    expect(table.text()).toContain('alpha')
    // Most tokens first.
    expect(table.text().indexOf('beta')).toBeLessThan(table.text().indexOf('alpha'))
    wrapper.unmount()

    const empty = await mountApp(fakeClient(), 'usage')
    expect(byTestId(empty, 'usage-empty').text()).toContain('No requests in this range')
    empty.unmount()
  })
})

describe('requests', () => {
  it('lists status, app, provider, model, tokens, latency and attempts; refresh re-reads', async () => {
    const fake = fakeClient({
      requests: [
        logEntry({
          status: 502,
          errorClass: 'upstream_unreachable',
          app: 'cursor',
          provider: 'beta',
          routeModel: 'team',
          upstreamModel: 'qwen',
          attempts: 2,
          latencyMs: 1500,
          path: [
            { provider: 'alpha', model: 'qwen', outcome: 'connect_error', latencyMs: 3 },
            { provider: 'beta', model: 'qwen', outcome: 'error', status: 502, latencyMs: 1490 },
          ],
        }),
        logEntry({ promptTokens: 1200, completionTokens: 34, costUsd: 0.02 }),
      ],
    })
    const wrapper = await mountApp(fake, 'requests')
    const rows = byTestId(wrapper, 'requests-table').findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('502')
    expect(rows[0]!.text()).toContain('cursor')
    expect(rows[0]!.text()).toContain('team → qwen')
    expect(rows[0]!.text()).toContain('1.50 s')
    expect(rows[0]!.text()).toContain('upstream_unreachable')
    expect(rows[0]!.find('.retried').attributes('title')).toBe('alpha (qwen): connect_error, 3 ms → beta (qwen): 502, 1.49 s')
    expect(rows[1]!.text()).toContain('1,200 / 34')
    expect(rows[1]!.text()).toContain('$0.02')
    await byTestId(wrapper, 'requests-refresh').trigger('click')
    await settle()
    expect(fake.client.listRequests).toHaveBeenCalledTimes(2)
    wrapper.unmount()
  })

  it('the live tail re-reads the newest page while on and shown; off stops it', async () => {
    vi.useFakeTimers()
    try {
      const fake = fakeClient({ requests: [] })
      const wrapper = await mountApp(fake, 'requests')
      expect(byTestId(wrapper, 'requests-empty').text()).toContain('No requests yet')
      await vi.advanceTimersByTimeAsync(4100)
      expect(fake.client.listRequests).toHaveBeenCalledTimes(3)
      await byTestId(wrapper, 'requests-auto').trigger('click')
      await vi.advanceTimersByTimeAsync(6000)
      expect(fake.client.listRequests).toHaveBeenCalledTimes(3)
      await byTestId(wrapper, 'requests-auto').trigger('click')
      await vi.advanceTimersByTimeAsync(2050)
      expect(fake.client.listRequests).toHaveBeenCalledTimes(4)
      wrapper.unmount()
      await vi.advanceTimersByTimeAsync(10_000)
      expect(fake.client.listRequests).toHaveBeenCalledTimes(4)
    } finally {
      vi.useRealTimers()
    }
  })

  it('filters go to the server; a row opens its details with the failover path', async () => {
    const entry = logEntry({
      requestId: 'req-failover-1',
      status: 200,
      provider: 'beta',
      routeModel: 'claude-sonnet-4-5',
      upstreamModel: 'qwen2.5-coder:7b',
      endpoint: '/v1/messages',
      latencyMs: 2000,
      ttftMs: 900,
      attempts: 2,
      path: [
        { provider: 'alpha', model: 'qwen', outcome: 'connect_error', latencyMs: 3 },
        { provider: 'beta', model: 'qwen2.5-coder:7b', outcome: 'success', status: 200, latencyMs: 1490 },
      ],
    })
    const fake = fakeClient({ requests: [entry] })
    const wrapper = await mountApp(fake, 'requests')
    const explorerQuery = () => fake.client.listRequests.mock.calls.at(-1)![0] as Record<string, unknown>
    expect(explorerQuery()).toEqual({ limit: 100 })
    await byTestId(wrapper, 'filter-request-id').find('input').setValue('req-fail')
    await settle()
    expect(explorerQuery()).toEqual({ limit: 100, requestId: 'req-fail' })

    await wrapper.find('[data-request-id="req-failover-1"]').trigger('click')
    await settle()
    const detail = document.body.querySelector('[data-testid="request-detail"]')!
    expect(detail.textContent).toContain('Anthropic Messages')
    expect(detail.textContent).toContain('qwen2.5-coder:7b')
    expect(detail.querySelector('[data-testid="request-detail-attempts"]')!.textContent).toContain('connect_error')
    expect(detail.textContent).toContain('Failover path (2 attempts)')
    expect(detail.textContent).toContain('900 ms')
    wrapper.unmount()
  })
})

describe('routes', () => {
  it('edits a route and saves the whole config with it; the resolver shows where models go', async () => {
    const parsed = parseConfig({
      version: 1,
      activeProvider: 'a',
      providers: [
        { id: 'a', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', apiKey: '********' },
        { id: 'b', kind: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', models: ['qwen'] },
      ],
      routes: [{ model: 'local', targets: [{ provider: 'a' }] }],
    })
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const fake = fakeClient({ providers: [provider('a'), provider('b', { models: ['qwen'] })], activeProvider: 'a', config: parsed.config })
    const wrapper = await mountApp(fake, 'routes')
    const route = byTestId(wrapper, 'route-0')
    expect((route.find('input').element as HTMLInputElement).value).toBe('local')
    expect(byTestId(wrapper, 'routes-save').exists()).toBe(false) // nothing changed yet
    await route.find('input').setValue('local-*')
    await settle()
    await byTestId(wrapper, 'routes-save').trigger('click')
    await settle()
    const sent = fake.client.replaceConfig.mock.calls[0]![0] as { routes: unknown[]; providers: { apiKey?: string }[] }
    // A route without a strategy parses to the default, `auto`, and is saved with it.
    expect(sent.routes).toEqual([{ model: 'local-*', strategy: 'auto', affinity: false, targets: [{ provider: 'a' }] }])
    expect(sent.providers[0]!.apiKey).toBe('********') // the mask goes back: the gateway keeps the stored key
    expect(byTestId(wrapper, 'routes-save').exists()).toBe(false)
    expect(byTestId(wrapper, 'resolution-qwen').text()).toContain('a · qwen')
    wrapper.unmount()
  })

  it('a refused save shows the gateway’s reason and keeps the edit', async () => {
    const fake = fakeClient({ providers: [provider('a')], activeProvider: 'a' })
    const wrapper = await mountApp(fake, 'routes')
    await byTestId(wrapper, 'add-route').trigger('click')
    await settle()
    fake.client.replaceConfig.mockRejectedValueOnce(new Error('invalid config: routes[0].targets[0].weight: Too small'))
    await byTestId(wrapper, 'routes-save').trigger('click')
    await settle()
    expect(byTestId(wrapper, 'routes-save-error').text()).toContain('Route 1, target 1 — Weight: Too small')
    expect(byTestId(wrapper, 'route-0').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('settings', () => {
  it('creates an app key shown once with a copy button, and revokes it', async () => {
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const fake = fakeClient({ providers: [provider('a')] })
    const wrapper = await mountApp(fake, 'settings')
    await byTestId(wrapper, 'app-name').find('input').setValue('aider')
    await byTestId(wrapper, 'app-create').trigger('click')
    await settle()
    expect(fake.client.createApp).toHaveBeenCalledWith({ name: 'aider', priority: 'normal', rpm: undefined, tpm: undefined })
    const key = inBody('app-key-value')!.textContent!.trim()
    expect(key).toMatch(/^sy-abcd/)
    ;(inBody('app-key-copy') as HTMLButtonElement).click()
    await settle()
    expect(writeText).toHaveBeenCalledWith(key)
    ;(inBody('app-key-done') as HTMLButtonElement).click()
    await settle()
    expect(byTestId(wrapper, 'app-table').text()).toContain('aider')
    expect(document.body.innerHTML).not.toContain(key) // shown once, then gone

    await byTestId(wrapper, 'revoke-aider').trigger('click')
    await settle()
    ;([...document.body.querySelectorAll('.n-popconfirm__action button')].find((b) => b.textContent?.includes('Revoke')) as HTMLButtonElement).click()
    await settle()
    expect(fake.client.revokeApp).toHaveBeenCalledWith({ name: 'aider' })
    expect(byTestId(wrapper, 'app-keys').text()).toContain('No app keys')
    wrapper.unmount()
  })

  it('saves port, address and origins through replaceConfig', async () => {
    const fake = fakeClient({ providers: [provider('a')] })
    const wrapper = await mountApp(fake, 'settings')
    await byTestId(wrapper, 'server-port').find('input').setValue('7272')
    await byTestId(wrapper, 'server-port').find('input').trigger('blur')
    await settle()
    await byTestId(wrapper, 'server-save').trigger('click')
    await settle()
    expect(fake.client.replaceConfig).toHaveBeenCalledWith(expect.objectContaining({ server: expect.objectContaining({ port: 7272, host: '127.0.0.1' }) }))
    wrapper.unmount()
  })

  it('web mode hides the desktop section; the desktop app shows it and saves toggles', async () => {
    const web = await mountApp(fakeClient(), 'settings')
    expect(byTestId(web, 'desktop-settings').exists()).toBe(false)
    expect(byTestId(web, 'data-location').text()).toContain('/home/me/.config/Switchyard')
    expect(byTestId(web, 'snippet-anthropic').text()).toContain('ANTHROPIC_BASE_URL=http://127.0.0.1:7171')
    web.unmount()

    const fake = fakeClient({ desktop: { available: true, launchAtLogin: false, launchAtLoginSupported: true, notifications: false, secretStorage: 'os', notices: ['config.json could not be used (not valid JSON), so the last good copy was restored.'] } })
    const app = await mountApp(fake, 'settings')
    expect(byTestId(app, 'desktop-notice').text()).toContain('last good copy')
    await byTestId(app, 'notifications').trigger('click')
    await flushPromises()
    expect(fake.client.updateDesktopSettings).toHaveBeenCalledWith({ notifications: true })
    await byTestId(app, 'launch-at-login').trigger('click')
    await flushPromises()
    expect(fake.client.updateDesktopSettings).toHaveBeenLastCalledWith({ launchAtLogin: true })
    await byTestId(app, 'update-beta').trigger('click')
    await flushPromises()
    expect(fake.client.updateDesktopSettings).toHaveBeenLastCalledWith({ updateChannel: 'beta' })
    app.unmount()
  })

  it('the desktop app shows update progress as it arrives, and "Restart to update" once downloaded', async () => {
    const desktop = { available: true, launchAtLogin: false, launchAtLoginSupported: true, notifications: false, secretStorage: 'os' as const, notices: [], autoUpdate: true, updateChannel: 'stable' as const }
    const fake = fakeClient({ desktop, update: { state: 'idle', currentVersion: '1.0.0', channel: 'stable' } })
    const app = await mountApp(fake, 'settings')
    expect(byTestId(app, 'update-line').text()).toBe('Switchyard 1.0.0 is up to date.')
    await byTestId(app, 'update-check').trigger('click')
    expect(fake.client.checkForUpdates).toHaveBeenCalledTimes(1)
    fake.emit('update', { state: 'downloading', version: '1.1.0', percent: 30, currentVersion: '1.0.0', channel: 'stable', releaseNotes: '<b>not html</b>' })
    await flushPromises()
    expect(byTestId(app, 'update-line').text()).toBe('Downloading version 1.1.0 — 30%')
    expect(byTestId(app, 'update-notes').text()).toBe('<b>not html</b>') // text, never markup
    expect(byTestId(app, 'update-ready').exists()).toBe(false)
    fake.emit('update', { state: 'downloaded', version: '1.1.0', currentVersion: '1.0.0', channel: 'stable' })
    await flushPromises()
    expect(byTestId(app, 'update-ready').text()).toContain('Switchyard 1.1.0 is ready')
    await byTestId(app, 'update-ready-install').trigger('click')
    expect(fake.client.installUpdate).toHaveBeenCalledTimes(1)
    app.unmount()
  })
})
