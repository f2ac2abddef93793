// Declares a CLI's cases as vitest tests: one test per case, skipped (with the reason in its
// title) only when it needs a client dialect the gateway answers 404 for.
import { afterAll, describe, it } from 'vitest'
import { killAllClis } from './cliProcess'
import { pendingDialect } from './pending'
import { CASE_TIMEOUT_MS, runCase, type CaseSpec } from './runCase'

export interface CaseDef extends CaseSpec {
  title: string
}

export function defineCases(client: string, cases: CaseDef[]): void {
  describe(client, () => {
    afterAll(() => killAllClis())
    for (const c of cases) {
      const decision = pendingDialect(c.via === 'gateway' ? c.requires : undefined, c.title)
      it.skipIf(decision.skip)(decision.title, async () => void (await runCase(c)), (c.timeoutMs ?? CASE_TIMEOUT_MS) + 60_000)
    }
  })
}
