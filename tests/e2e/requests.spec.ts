// The request explorer in Chromium over 12,000 ledger rows: server-side filters, keyset paging
// (each page exactly the expected slice), request-id search, the detail drawer with a failover
// path and timings, and the live tail picking up a new request.
import { expect as baseExpect, test, type Page } from '@playwright/test'
import { UsageLedger } from '../../src/main/gateway/usage/ledger'
import type { UsageRow } from '../../src/main/gateway/usage/types'
import { startHeadlessGateway, type HeadlessGateway } from './support/headlessGateway'
import { startMockOpenAI, type MockOpenAI } from './support/mockOpenAI'
import { chat, choose, horizontalOverflow, openView, shoot } from './support/dashboard'

// A loaded 2-core machine renders a 500-row table slowly: give each wait room.
const expect = baseExpect.configure({ timeout: 30_000 })

const N = 12_000
const APPS = ['aider', 'claude-code', 'codex']
const ENDPOINTS = ['/v1/chat/completions', '/v1/messages', '/v1/responses']

function seedRows(now: number): UsageRow[] {
  const rows: UsageRow[] = []
  for (let i = 0; i < N; i++) {
    const status = i % 7 === 0 ? 502 : i % 11 === 0 ? 404 : 200
    rows.push({
      requestId: `seed-${String(i).padStart(5, '0')}`,
      // Oldest first, a minute apart at most; several rows share a timestamp.
      ts: now - 3_600_000 - (N - i) * 20_000 - (i % 2),
      app: APPS[i % 3]!,
      provider: i % 2 ? 'ollama' : 'openai',
      routeModel: i % 5 ? 'claude-sonnet-4-5' : 'gpt-4o',
      upstreamModel: 'qwen2.5-coder:7b',
      endpoint: ENDPOINTS[i % 3]!,
      stream: i % 2 === 0,
      status,
      state: status === 200 ? 'ok' : 'error',
      promptTokens: 100 + (i % 50),
      completionTokens: 20,
      cachedTokens: 0,
      cacheCreationTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      latencyMs: 800 + (i % 400),
      ttftMs: 200,
      queueWaitMs: status === 502 ? 1_250 : 0,
      attempts: status === 502 ? 2 : 1,
      errorClass: status === 200 ? null : `http_${status}`,
      estimated: false,
      path:
        status === 502
          ? [
              { provider: 'ollama', model: 'qwen2.5-coder:7b', outcome: 'connect_error', latencyMs: 4 },
              { provider: 'openai', model: 'gpt-4o', outcome: 'http_error', status: 502, latencyMs: 700 },
            ]
          : undefined,
    })
  }
  return rows
}

/** What the server should list for a filter, newest first (ties: the later insert first). */
function expectedIds(rows: UsageRow[], keep: (r: UsageRow) => boolean): string[] {
  return rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => keep(r))
    .sort((a, b) => b.r.ts - a.r.ts || b.i - a.i)
    .map(({ r }) => r.requestId)
}

async function visibleIds(page: Page): Promise<string[]> {
  return page.locator('[data-testid="requests-table"] tbody tr[data-request-id]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-request-id')!))
}

test.describe('request explorer', () => {
  let mock: MockOpenAI
  let gateway: HeadlessGateway
  let rows: UsageRow[]

  test.beforeEach(async () => {
    mock = await startMockOpenAI('live')
    rows = seedRows(Date.now())
    gateway = await startHeadlessGateway(
      { version: 1, activeProvider: 'live', providers: [{ id: 'live', kind: 'openai-compatible', baseUrl: mock.baseUrl }] },
      'e2e-admin-token',
      {
        beforeStart: (dataDir) => {
          const ledger = UsageLedger.open({ dataDir, retentionDays: 0 })
          for (const r of rows) ledger.record(r)
          ledger.flushAll()
          ledger.close()
        },
      },
    )
  })

  test.afterEach(async () => {
    await gateway?.stop()
    await mock?.close()
  })

  test('filters and paging over 12,000 rows, id search, details, live tail', async ({ page }) => {
    test.setTimeout(240_000)
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(gateway.dashboardUrl)
    await openView(page, 'requests')
    const all = expectedIds(rows, () => true)
    await expect.poll(() => visibleIds(page)).toEqual(all.slice(0, 100))
    await shoot(page, 'requests-explorer')

    // Failures only: server-side, so the first page is the newest 100 failures of the whole ledger.
    await choose(page, 'filter-status', 'Any failure')
    const failures = expectedIds(rows, (r) => r.status >= 400)
    await expect.poll(() => visibleIds(page)).toEqual(failures.slice(0, 100))
    // Page through: each page is exactly the next slice.
    for (let p = 1; p <= 3; p++) {
      await page.getByTestId('requests-older').click()
      await expect(page.getByTestId('requests-page')).toContainText(`Page ${p + 1}`)
      await expect.poll(() => visibleIds(page)).toEqual(failures.slice(p * 100, (p + 1) * 100))
    }
    await page.getByTestId('requests-newer').click()
    await expect.poll(() => visibleIds(page)).toEqual(failures.slice(200, 300))

    // Two filters at once: 5xx from codex on the Responses API.
    await choose(page, 'filter-status', 'Server errors (5xx)')
    await choose(page, 'filter-app', 'codex')
    await choose(page, 'filter-endpoint', '/v1/responses')
    const narrow = expectedIds(rows, (r) => r.status >= 500 && r.app === 'codex' && r.endpoint === '/v1/responses')
    expect(narrow.length).toBeGreaterThan(100)
    await expect(page.getByTestId('requests-page')).toContainText('Page 1')
    await expect.poll(() => visibleIds(page)).toEqual(narrow.slice(0, 100))
    await page.getByTestId('requests-older').click()
    await expect.poll(() => visibleIds(page)).toEqual(narrow.slice(100, 200))

    // Page size from the menu (back to the first page); the last page is short and has no "Older".
    expect(narrow.length).toBeLessThan(1000)
    await choose(page, 'requests-page-size', '500 per page')
    await expect(page.getByTestId('requests-page')).toContainText('Page 1')
    await expect.poll(() => visibleIds(page)).toEqual(narrow.slice(0, 500))
    await page.getByTestId('requests-older').click()
    await expect(page.getByTestId('requests-page')).toContainText('Page 2')
    await expect.poll(() => visibleIds(page)).toEqual(narrow.slice(500))
    await expect(page.getByTestId('requests-older')).toBeDisabled()
    await choose(page, 'requests-page-size', '100 per page')

    // Search by request id, open it: the failover path with each attempt's error.
    await page.getByTestId('filter-reset').click()
    await page.getByTestId('filter-request-id').locator('input').fill('seed-00007')
    await expect.poll(() => visibleIds(page)).toEqual(['seed-00007'])
    await page.locator('[data-request-id="seed-00007"]').click()
    const detail = page.getByTestId('request-detail')
    await expect(detail).toContainText('Failover path (2 attempts)')
    await expect(detail.getByTestId('request-detail-attempts')).toContainText('connect_error')
    await expect(detail.getByTestId('request-detail-attempts')).toContainText('502 http_error')
    await expect(detail).toContainText('Anthropic Messages')
    await expect(detail.getByTestId('request-detail-upstream')).toContainText('qwen2.5-coder:7b')
    // Timings: the queue wait recorded for the request, then time to first byte and duration.
    await expect(detail.getByTestId('timing-queue-wait')).toContainText('1.25 s')
    await expect(detail.getByTestId('timing-time-to-first-byte')).toContainText('200 ms')
    await expect(detail.getByTestId('timing-duration')).toHaveText(/^\d+(\.\d+)? (ms|s)$/)
    await shoot(page, 'request-detail', { fullPage: false })
    await page.keyboard.press('Escape')
    await expect(detail).toBeHidden()

    // Live tail: a new request shows at the top by itself.
    await page.getByTestId('filter-reset').click()
    await expect(page.getByTestId('filter-request-id').locator('input')).toHaveValue('')
    await expect.poll(() => visibleIds(page)).toEqual(all.slice(0, 100))
    const live = await chat(gateway, 'brand-new-model')
    expect(live.status).toBe(200)
    await expect(page.locator('[data-testid="requests-table"] tbody tr').first()).toContainText('brand-new-model', { timeout: 10_000 })

    await page.setViewportSize({ width: 900, height: 600 })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await shoot(page, '900x600-requests-explorer', { fullPage: false })
  })
})
