// Collection-time decision for cases that need a client dialect the gateway may not serve yet:
// the title carries the reason when the case is skipped (a skip must never read as a pass), the
// reason is also printed to the log, and SWITCHYARD_REQUIRE_DIALECTS=1 makes it fail instead.
import { inject } from 'vitest'
import type { PendingDialect } from './gateway'

export interface PendingDecision {
  skip: boolean
  title: string
}

export function pendingDialect(dialect: PendingDialect | undefined, title: string): PendingDecision {
  if (!dialect) return { skip: false, title }
  const probe = inject('dialectProbes')[dialect]
  if (!probe.missing) return { skip: false, title }
  const reason = `Switchyard answers 404 on ${probe.what} (the ${dialect === 'gemini' ? 'Gemini API' : 'OpenAI Responses API'} is not served yet)`
  if (process.env.SWITCHYARD_REQUIRE_DIALECTS === '1') return { skip: false, title: `${title} [required but ${reason}]` }
  console.warn(`[skipped] ${title}: ${reason}`)
  return { skip: true, title: `${title} [skipped: ${reason}]` }
}
