// The Electron window gets its CSP from the meta tag; headless sends DASHBOARD_CSP as a header.
// They must say the same thing (a meta tag cannot carry frame-ancestors).
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DASHBOARD_CSP } from '../../../src/main/headless/staticUi'

const directives = (policy: string): string[] =>
  policy
    .split(';')
    .map((d) => d.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .sort()

describe('renderer CSP', () => {
  it('the meta tag in index.html matches DASHBOARD_CSP', () => {
    const html = fs.readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8')
    const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(match).not.toBeNull()
    const expected = directives(DASHBOARD_CSP).filter((d) => !d.startsWith('frame-ancestors'))
    expect(directives(match![1]!)).toEqual(expected)
  })

  it('allows no inline or remote script', () => {
    const script = directives(DASHBOARD_CSP).find((d) => d.startsWith('script-src'))
    expect(script).toBe("script-src 'self'")
  })
})
