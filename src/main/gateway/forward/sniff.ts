// The held start of an upstream stream: is its first event an error (then another candidate may
// still answer), fine (commit it to the client), or not complete yet?
import { GatewayError } from '../common/errors'
import type { SecretScrubber } from '../common/secretScrubber'
import { firstEventOutcome, inspectFirstSseEvent } from '../routing/firstEvent'
import type { AttemptFailure } from './attemptFailure'

/** An error event is short: a first event longer than this is content, not worth holding. */
const MAX_SNIFF_BYTES = 64 * 1024

export function sniffFirstEvent(held: Buffer[], ended: boolean, providerId: string, scrub?: SecretScrubber): 'incomplete' | 'ok' | AttemptFailure {
  let bytes = 0
  for (const chunk of held) bytes += chunk.length
  if (bytes > MAX_SNIFF_BYTES) return 'ok'
  const text = (held.length === 1 ? held[0]! : Buffer.concat(held)).toString('utf8')
  const verdict = inspectFirstSseEvent(text)
  if (verdict.state === 'incomplete') return ended ? 'ok' : 'incomplete'
  if (verdict.state === 'ok') return 'ok'
  const { outcome, status } = firstEventOutcome(verdict)
  return {
    outcome,
    status,
    // The upstream's message goes to the client, the log and the provider's health: without its secrets.
    error: new GatewayError('upstream_error', `provider "${providerId}" failed: ${(scrub ? scrub.text(verdict.message) : verdict.message).slice(0, 500)}`, { status: status === 529 ? 503 : status }),
  }
}
