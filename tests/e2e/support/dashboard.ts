// Helpers for driving the dashboard: navigation, screenshots in both colour schemes, and
// requests through the gateway.
import fs from 'node:fs'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
import type { HeadlessGateway } from './headlessGateway'

export const screenshotDir = path.resolve(import.meta.dirname, '../../../test-artifacts/screenshots')

async function settle(page: Page): Promise<void> {
  // naive-ui animates theme colours and drawers; capture the settled page, not a blend.
  // (A function, not a string: the dashboard's CSP forbids eval, which string predicates need.)
  await page.waitForFunction(() => (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations().length === 0)
}

/** Saves `<name>-light.png` and `<name>-dark.png`; the page is left in the light scheme. */
export async function shoot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true })
  // A full-page capture of a scrolled page would shift the sticky sidebar.
  if (opts.fullPage ?? true) await page.evaluate('window.scrollTo(0, 0)')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await expect(page.locator('body')).toHaveCSS('background-color', scheme === 'dark' ? 'rgb(16, 16, 20)' : 'rgb(255, 255, 255)')
    await settle(page)
    await page.screenshot({ path: path.join(screenshotDir, `${name}-${scheme}.png`), fullPage: opts.fullPage ?? true })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await settle(page)
}

export async function openView(page: Page, view: 'overview' | 'providers' | 'routes' | 'usage' | 'requests' | 'tools' | 'settings'): Promise<void> {
  await page.getByTestId(`nav-${view}`).click()
  await expect(page.getByTestId(`view-${view}`)).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`#/${view}$`))
}

export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number
}

export interface ChatResult {
  status: number
  provider: string | null
  body: { backend?: string; error?: { message?: string } }
}

export async function chat(gateway: HeadlessGateway, model: string, headers: Record<string, string> = {}): Promise<ChatResult> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'who answers?' }] }),
  })
  return { status: res.status, provider: res.headers.get('x-switchyard-provider'), body: (await res.json()) as ChatResult['body'] }
}

/** Calls the admin API the dashboard uses, from the test (e.g. to set up state the test is not about). */
export async function admin(gateway: HeadlessGateway, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${gateway.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(res.status, `${method} ${path}`).toBeLessThan(300)
  return res
}

/** Picks an option of a naive-ui select by its visible text. */
export async function choose(page: Page, testId: string, option: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click()
  await page.locator('.n-base-select-option', { hasText: option }).first().click()
}
