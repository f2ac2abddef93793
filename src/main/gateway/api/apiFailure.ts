/** A failed app-API call: a stable code and a message safe to show (never a stack or a secret). */
export class ApiFailure extends Error {
  constructor(
    readonly code: 'invalid_argument' | 'not_found' | 'conflict' | 'internal',
    message: string,
  ) {
    super(message)
  }
}
