// Presentation helpers for the status page: pure, so the wording is tested without a DOM.
import type { GatewayState, GatewayStatus } from '../../../shared/api'

export type TagType = 'success' | 'warning' | 'error' | 'info' | 'default'

export function stateLabel(state: GatewayState): string {
  return { starting: 'Starting', listening: 'Listening', paused: 'Paused', error: 'Error', stopped: 'Stopped' }[state]
}

export function stateTagType(state: GatewayState): TagType {
  return { starting: 'info', listening: 'success', paused: 'warning', error: 'error', stopped: 'default' }[state] as TagType
}

/** The address clients should use; before the gateway listens, the one it will try. */
export function listeningAddress(status: GatewayStatus): string {
  return status.url ?? `http://${status.host}:${status.port}`
}

const counter = new Intl.NumberFormat('en-US')

export function formatCount(n: number | undefined): string {
  return n === undefined ? '—' : counter.format(n)
}

export function formatUptime(ms: number | undefined): string {
  if (ms === undefined) return '—'
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}
