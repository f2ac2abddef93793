import { describe, expect, it, vi } from 'vitest'
import { takeAdminToken, type TokenEnv } from '../../../src/renderer/src/api/adminToken'

function env(hash: string, stored?: string): TokenEnv & { store: Map<string, string>; replaceState: ReturnType<typeof vi.fn> } {
  const store = new Map<string, string>(stored ? [['switchyard.adminToken', stored]] : [])
  const replaceState = vi.fn()
  return {
    location: { hash, pathname: '/ui/', search: '' },
    history: { replaceState },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
    store,
    replaceState,
  }
}

describe('takeAdminToken', () => {
  it('takes the token from the link, keeps it in session storage and removes it from the address bar', () => {
    const e = env('#token=abc%2B%2F123')
    expect(takeAdminToken(e)).toBe('abc+/123')
    expect(e.store.get('switchyard.adminToken')).toBe('abc+/123')
    expect(e.replaceState).toHaveBeenCalledWith(null, '', '/ui/')
  })

  it('keeps other hash parameters', () => {
    const e = env('#token=t&view=usage')
    takeAdminToken(e)
    expect(e.replaceState).toHaveBeenCalledWith(null, '', '/ui/#view=usage')
  })

  it('falls back to the stored token after a reload, and to nothing', () => {
    const reloaded = env('', 'kept')
    expect(takeAdminToken(reloaded)).toBe('kept')
    expect(reloaded.replaceState).not.toHaveBeenCalled()
    expect(takeAdminToken(env(''))).toBeUndefined()
  })

  it('a new link replaces a stored token', () => {
    const e = env('#token=new', 'old')
    expect(takeAdminToken(e)).toBe('new')
    expect(e.store.get('switchyard.adminToken')).toBe('new')
  })
})
