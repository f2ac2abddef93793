// Google answers a spent quota with 429 RESOURCE_EXHAUSTED and says how long to wait in the body,
// not in headers: a google.rpc.RetryInfo detail (`"retryDelay": "24s"`), and in recent answers
// the message too ("Please retry in 24.5s."). The message survives when the error was translated
// into another dialect's shape for the client; the detail does not.
//   {"error":{"code":429,"message":"You exceeded your current quota ... Please retry in 24.5s.",
//     "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure",...},
//     {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"24s"}]}}

const RETRY_DELAY = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/
const RETRY_IN = /retry in (\d+(?:\.\d+)?)\s*(ms|s)\b/i
const MAX_DELAY_MS = 24 * 3_600_000

/** Milliseconds a 429/503 answer asks to wait, from its body; undefined when it does not say. */
export function geminiRetryDelayMs(status: number, body: Buffer): number | undefined {
  if (status !== 429 && status !== 503) return undefined
  const text = body.toString('utf8', 0, Math.min(body.length, 64 * 1024))
  const detail = RETRY_DELAY.exec(text)
  if (detail) return bounded(Number(detail[1]) * 1000)
  const said = RETRY_IN.exec(text)
  if (said) return bounded(Number(said[1]) * (said[2]!.toLowerCase() === 'ms' ? 1 : 1000))
  return undefined
}

function bounded(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 ? Math.min(Math.ceil(ms), MAX_DELAY_MS) : undefined
}
