import { describe, expect, it } from 'vitest'
import { buildGuardPolicy, checkRequest, hostName, isLoopbackHost } from '../../../src/main/gateway/server/guard'

describe('ingress guard', () => {
  const loopback = buildGuardPolicy('127.0.0.1', ['http://localhost:5173'])

  it('extracts host names without ports, including IPv6 literals', () => {
    expect(hostName('localhost:7171')).toBe('localhost')
    expect(hostName('[::1]:7171')).toBe('[::1]')
    expect(hostName('LOCALHOST')).toBe('localhost')
    expect(hostName(undefined)).toBe('')
    expect(hostName('[::1')).toBe('')
  })

  it('knows loopback names', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'dev.localhost']) expect(isLoopbackHost(h)).toBe(true)
    for (const h of ['localhost.evil.com', '128.0.0.1', '0.0.0.0', 'example.com', '']) expect(isLoopbackHost(h)).toBe(false)
  })

  it('rejects foreign and missing Host headers', () => {
    expect(() => checkRequest({}, loopback)).toThrow(/Host/)
    expect(() => checkRequest({ host: 'evil.com' }, loopback)).toThrow(/Host/)
    expect(() => checkRequest({ host: 'localhost.evil.com:7171' }, loopback)).toThrow(/Host/)
    expect(() => checkRequest({ host: '127.0.0.1:7171' }, loopback)).not.toThrow()
  })

  it('accepts the LAN bind address only when bound to it, and IP literals on a wildcard bind', () => {
    const lan = buildGuardPolicy('192.168.1.5', [])
    expect(() => checkRequest({ host: '192.168.1.5:7171' }, lan)).not.toThrow()
    expect(() => checkRequest({ host: '192.168.1.5:7171' }, loopback)).toThrow()
    const wildcard = buildGuardPolicy('0.0.0.0', [])
    expect(() => checkRequest({ host: '10.0.0.7:7171' }, wildcard)).not.toThrow()
    expect(() => checkRequest({ host: 'rebind.attacker.com:7171' }, wildcard)).toThrow()
  })

  it('allows configured origins and the dashboard’s own origin only', () => {
    expect(() => checkRequest({ host: 'localhost:7171', origin: 'http://localhost:5173/' }, loopback)).not.toThrow()
    expect(() => checkRequest({ host: 'localhost:7171', origin: 'http://localhost:7171' }, loopback)).not.toThrow()
    expect(() => checkRequest({ host: 'localhost:7171', origin: 'http://localhost:7172' }, loopback)).toThrow(/origin/)
    expect(() => checkRequest({ host: 'localhost:7171', origin: 'https://evil.com' }, loopback)).toThrow(/origin/)
    expect(() => checkRequest({ host: 'localhost:7171', 'sec-fetch-site': 'cross-site' }, loopback)).toThrow(/cross-site/)
    expect(() => checkRequest({ host: 'localhost:7171', 'sec-fetch-site': 'same-origin' }, loopback)).not.toThrow()
  })
})
