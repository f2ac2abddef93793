import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keepLastGood, quarantineName, recoverConfigFile } from '../../../src/main/app/configRecovery'
import { defaultConfig, type Config } from '../../../src/shared/config'

let dir: string
const file = (name: string) => path.join(dir, name)
const read = (name: string) => JSON.parse(fs.readFileSync(file(name), 'utf8')) as Config
const when = new Date('2026-05-01T10:20:30.123Z')
const good = { version: 1, activeProvider: 'ollama', providers: [{ id: 'ollama', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }] }

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-recovery-'))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('recoverConfigFile', () => {
  it('leaves a good file and a missing file alone', () => {
    expect(recoverConfigFile(dir)).toEqual({})
    fs.writeFileSync(file('config.json'), JSON.stringify(good))
    expect(recoverConfigFile(dir)).toEqual({})
    expect(JSON.parse(fs.readFileSync(file('config.json'), 'utf8'))).toEqual(good)
  })

  it('quarantines a file that is not JSON and restores the last good copy, with a notice', () => {
    fs.writeFileSync(file('config.json'), '{"version":1,"providers":[')
    fs.writeFileSync(file('config.last-good.json'), JSON.stringify(good))
    const result = recoverConfigFile(dir, { now: () => when })
    expect(quarantineName(when)).toBe('config.corrupt-2026-05-01T10-20-30-123Z.json')
    expect(result.quarantined).toBe(file('config.corrupt-2026-05-01T10-20-30-123Z.json'))
    expect(fs.readFileSync(result.quarantined!, 'utf8')).toBe('{"version":1,"providers":[')
    expect(read('config.json').activeProvider).toBe('ollama')
    expect(result.notice).toMatch(/^config\.json could not be used \(not valid JSON.*\), so the last good copy was restored\. The damaged file was kept as config\.corrupt-2026-05-01T10-20-30-123Z\.json\.$/)
  })

  it('a file that fails the schema is treated the same way and the reason is named', () => {
    fs.writeFileSync(file('config.json'), JSON.stringify({ version: 1, providers: [{ id: 'x' }] }))
    fs.writeFileSync(file('config.last-good.json'), JSON.stringify(good))
    const result = recoverConfigFile(dir, { now: () => when })
    expect(result.notice).toContain('providers[0]')
    expect(read('config.json').providers.map((p) => p.id)).toEqual(['ollama'])
  })

  it('without a good copy it starts empty and says so (the damaged file is still kept)', () => {
    fs.writeFileSync(file('config.json'), 'garbage')
    const result = recoverConfigFile(dir, { now: () => when })
    expect(fs.existsSync(file('config.json'))).toBe(false)
    expect(fs.existsSync(result.quarantined!)).toBe(true)
    expect(result.notice).toContain('there is no good copy to restore')
  })

  it('a damaged last-good copy is not restored', () => {
    fs.writeFileSync(file('config.json'), 'garbage')
    fs.writeFileSync(file('config.last-good.json'), 'also garbage')
    expect(recoverConfigFile(dir, { now: () => when }).notice).toContain('no good copy')
    expect(fs.existsSync(file('config.json'))).toBe(false)
  })
})

describe('keepLastGood', () => {
  it('writes the current config now and after every published change', () => {
    let listener: ((c: Config) => void) | undefined
    const config = { ...defaultConfig(), activeProvider: undefined }
    const stop = keepLastGood(dir, { get: () => config, subscribe: (l) => ((listener = l), () => (listener = undefined)) })
    expect(read('config.last-good.json')).toEqual(config)
    const next = { ...config, server: { ...config.server, port: 9999 } }
    listener!(next)
    expect(read('config.last-good.json').server.port).toBe(9999)
    // Written atomically: no temporary files left behind.
    expect(fs.readdirSync(dir).sort()).toEqual(['config.last-good.json'])
    stop()
    expect(listener).toBeUndefined()
  })
})
