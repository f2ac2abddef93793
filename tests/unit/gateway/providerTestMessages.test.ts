import { describe, expect, it } from 'vitest'
import { safeMessage } from '../../../src/main/gateway/api/providerHandlers'

describe('connection test failures in words', () => {
  it('says what a status means and quotes the provider, never a raw http_401 dump', () => {
    expect(safeMessage({ code: 'http_401', message: 'answered 401: {"error":{"message":"Incorrect API key provided"}}' })).toBe(
      'The provider refused the key (HTTP 401): check the API key. It said: Incorrect API key provided',
    )
    expect(safeMessage({ code: 'http_404', message: 'answered 404: <html>' })).toMatch(/^Nothing answers at this address \(HTTP 404\)/)
    expect(safeMessage({ code: 'ECONNREFUSED', message: 'connection refused' })).toMatch(/Nothing is listening at this address/)
  })
})
