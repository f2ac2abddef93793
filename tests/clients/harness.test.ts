// The CLI runner's guarantees, on a shell standing in for a CLI: a run that outlives its timeout
// is ended with everything it started, and whatever a finished run left behind in its process
// group is ended too (agents spawn shells, sandboxes and language servers).
import { execFileSync } from 'node:child_process'
import { expect, it } from 'vitest'
import { runCli } from './harness/cliProcess'

/** Processes whose command line matches (pgrep's own command line never does: the pattern has a class). */
function running(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim()
  } catch {
    return '' // pgrep exits 1 when nothing matches
  }
}

const env = { PATH: '/usr/bin:/bin' }

it('ends the whole process group when a run times out, and says it timed out', async () => {
  const run = await runCli({ bin: 'bash', args: ['-c', 'echo started; sleep 7301 & sleep 7302; echo never'], cwd: '/', env, timeoutMs: 500 })
  expect(run).toMatchObject({ timedOut: true, code: null, stdout: 'started\n' })
  expect(run.ms).toBeLessThan(5_000)
  await new Promise((r) => setTimeout(r, 200))
  expect(running('sleep 730[12]')).toBe('')
})

it('ends what a finished run left running in its group, without waiting for it', async () => {
  const run = await runCli({ bin: 'bash', args: ['-c', 'sleep 7303 & echo done'], cwd: '/', env, timeoutMs: 10_000 })
  expect(run).toMatchObject({ timedOut: false, code: 0, stdout: 'done\n' })
  expect(run.ms).toBeLessThan(5_000)
  await new Promise((r) => setTimeout(r, 200))
  expect(running('sleep 730[3]')).toBe('')
})
