// Errors for Responses clients. Before the stream: OpenAI's `{"error":{...}}` body, as for chat.
// In a stream: the `code` of response.failed, which Codex reads to decide (rate_limit_exceeded is
// retried after the advertised delay, context_length_exceeded and insufficient_quota are final,
// anything else is retried).
import type { ErrorInfo } from '../canonical'

export function failureCode(error: ErrorInfo, status: number | undefined): string {
  if (status === 429 || error.type === 'rate_limit_error') return 'rate_limit_exceeded'
  if (typeof error.code === 'string' && error.code !== '' && !error.code.endsWith('_error')) return error.code
  return 'server_error'
}
