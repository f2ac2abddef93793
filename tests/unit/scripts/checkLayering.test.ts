// The layering lint must fail on a folder-level import cycle, and pass on today's core.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const script = path.resolve(__dirname, '../../../scripts/check-layering.mjs')

function run(root?: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, root ? [script, root] : [script], { encoding: 'utf8' })
  return { status: r.status, output: r.stdout + r.stderr }
}

describe('check-layering', () => {
  it('passes on the gateway core as it is', () => {
    expect(run().status).toBe(0)
  })

  it('fails and names the imports when two folders import each other through a third', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layering-'))
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        fs.writeFileSync(path.join(dir, file), text)
      }
      write('a/one.ts', "import { two } from '../b/two'\nexport const one = two\n")
      write('b/two.ts', "import { three } from '../c/three'\nexport const two = three\n")
      write('c/three.ts', "import { one } from '../a/one'\nexport const three = 3\nexport { one }\n")
      write('d/free.ts', "import { one } from '../a/one'\nexport const free = one\n")
      const r = run(dir)
      expect(r.status).toBe(1)
      expect(r.output).toMatch(/cycle among a, b, c/)
      expect(r.output).toContain('c/three.ts -> ../a/one')
      expect(r.output).not.toMatch(/\bd\b ->/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
