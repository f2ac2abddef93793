// Where the worker scripts are found: next to the built entries (out/main/), whether the code that
// starts them sits in out/main/ or in out/main/chunks/; a source run's bundles only as a fallback.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { workerScript, WORKER_DIR_ENV } from '../../../../src/main/gateway/common/workerScript'

let root: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-worker-script-'))
  fs.mkdirSync(path.join(root, 'out/main/chunks'), { recursive: true })
  fs.mkdirSync(path.join(root, 'bundles'))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

const from = (file: string): string => pathToFileURL(path.join(root, file)).href
const touch = (file: string): string => {
  fs.writeFileSync(path.join(root, file), '')
  return path.join(root, file)
}

describe('workerScript', () => {
  it('finds the built entry from a chunk (out/main/chunks/) and from an entry (out/main/)', () => {
    const built = touch('out/main/ledgerWorker.js')
    expect(workerScript('ledgerWorker', from('out/main/chunks/envSecrets-abc.js'), {})).toBe(built)
    expect(workerScript('ledgerWorker', from('out/main/cli.js'), {})).toBe(built)
    expect(workerScript('tokenWorker', from('out/main/cli.js'), {})).toBeUndefined()
  })

  it('a source run uses the bundles it names; a build prefers its own scripts', () => {
    const bundled = touch('bundles/tokenWorker.js')
    const env = { [WORKER_DIR_ENV]: path.join(root, 'bundles') }
    expect(workerScript('tokenWorker', from('src/main/gateway/admission/tokenThread.ts'), env)).toBe(bundled)
    const built = touch('out/main/tokenWorker.js')
    expect(workerScript('tokenWorker', from('out/main/chunks/x.js'), env)).toBe(built)
    expect(workerScript('tokenWorker', from('src/x.ts'), {})).toBeUndefined()
  })
})
