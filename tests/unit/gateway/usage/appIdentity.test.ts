import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { AppKeyError, AppKeyStore, hashAppKey } from '../../../../src/main/gateway/usage/appKeys'
import { identifyApp, userAgentProduct } from '../../../../src/main/gateway/usage/identifyApp'
import { migrate } from '../../../../src/main/gateway/usage/ledgerSchema'

let dir: string
let db: Database.Database
let keys: AppKeyStore

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-keys-'))
  db = new Database(path.join(dir, 'usage.db'))
  migrate(db)
  keys = new AppKeyStore(db, { now: () => 1_700_000_000_000 })
})
afterEach(() => {
  keys.close()
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('app keys', () => {
  it('creates sy- keys, stores only their hash, and shows the key once', () => {
    const { name, key } = keys.create('aider')
    expect(name).toBe('aider')
    expect(key).toMatch(/^sy-[A-Za-z0-9_-]{32}$/)
    const stored = db.prepare('SELECT * FROM app_keys').all() as Array<Record<string, unknown>>
    expect(stored).toHaveLength(1)
    expect(stored[0].key_hash).toBe(hashAppKey(key))
    expect(JSON.stringify(stored)).not.toContain(key)
    expect(keys.list()).toEqual([{ name: 'aider', createdAt: 1_700_000_000_000, prefix: key.slice(0, 8), priority: 'normal', rpm: undefined, tpm: undefined }])
    expect(JSON.stringify(keys.list())).not.toContain(key)
  })

  it('looks keys up in memory, records last use, and survives a reload', () => {
    const { key } = keys.create('cursor')
    expect(keys.lookup(key)).toEqual({ ok: true, app: 'cursor' })
    expect(keys.list()[0].lastUsedAt).toBe(1_700_000_000_000)
    keys.saveLastUsed()
    const again = new AppKeyStore(db)
    expect(again.list()[0].lastUsedAt).toBe(1_700_000_000_000)
    expect(again.lookup(key)).toEqual({ ok: true, app: 'cursor' })
    again.close()
  })

  it('revoked and unknown keys are refused; names are validated and unique', () => {
    const { key } = keys.create('cli')
    keys.revoke('cli')
    expect(keys.lookup(key)).toEqual({ ok: false, reason: 'unknown_app_key' })
    expect(keys.lookup('sy-' + 'a'.repeat(32))).toEqual({ ok: false, reason: 'unknown_app_key' })
    expect(() => keys.revoke('cli')).toThrow(AppKeyError)
    keys.create('dup')
    expect(() => keys.create('dup')).toThrow(/already/)
    expect(() => keys.create('')).toThrow(AppKeyError)
    expect(() => keys.create('x'.repeat(65))).toThrow(AppKeyError)
  })
})

describe('identifyApp', () => {
  it('app key (Bearer or x-api-key) wins; unknown sy- keys are a 401 signal', () => {
    const { key } = keys.create('open-webui')
    expect(identifyApp({ authorization: `Bearer ${key}`, 'x-switchyard-app': 'other' }, keys)).toEqual({ ok: true, app: 'open-webui', via: 'app-key' })
    expect(identifyApp({ 'x-api-key': key }, keys)).toEqual({ ok: true, app: 'open-webui', via: 'app-key' })
    expect(identifyApp({ authorization: 'Bearer sy-nope' }, keys)).toEqual({ ok: false, reason: 'unknown_app_key' })
    expect(identifyApp({ 'x-api-key': 'sy-' + 'b'.repeat(32) }, undefined)).toEqual({ ok: false, reason: 'unknown_app_key' })
  })

  it('other credentials are ignored; then X-Switchyard-App, User-Agent, unknown', () => {
    expect(identifyApp({ authorization: 'Bearer sk-proj-123', 'x-switchyard-app': ' My Tool ' }, keys)).toEqual({ ok: true, app: 'My Tool', via: 'header' })
    expect(identifyApp({ 'x-api-key': 'sk-ant-1', 'user-agent': 'OpenAI/JS 4.52.0' }, keys)).toEqual({ ok: true, app: 'OpenAI/JS', via: 'user-agent' })
    expect(identifyApp({}, keys)).toEqual({ ok: true, app: 'unknown', via: 'unknown' })
  })

  it('user-agent product names', () => {
    expect(userAgentProduct('curl/8.5.0')).toBe('curl')
    expect(userAgentProduct('claude-cli/1.0.83 (external, cli)')).toBe('claude-cli')
    expect(userAgentProduct('OpenAI/Python 1.40.0')).toBe('OpenAI/Python')
    expect(userAgentProduct('aider/0.50.1')).toBe('aider')
    expect(userAgentProduct('python-httpx/0.27.0')).toBe('python-httpx')
    expect(userAgentProduct('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36')).toBe('browser')
    expect(userAgentProduct('node')).toBe('node')
    expect(userAgentProduct('')).toBeUndefined()
    expect(userAgentProduct('=cmd|"/C calc"!A0')).toBe('cmd/C') // no formula or quote characters survive
  })
})
