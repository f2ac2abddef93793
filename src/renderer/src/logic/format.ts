// Presentation helpers: pure, so the wording is tested without a DOM.
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

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/** 1234 -> "1.2K"; for tiles and chart axes where space is short. */
export function formatCompact(n: number | undefined): string {
  return n === undefined ? '—' : compact.format(n)
}

/** Requests per second: one decimal below 10, whole numbers above. */
export function formatRate(n: number | undefined): string {
  if (n === undefined) return '—'
  if (n === 0) return '0'
  return n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === undefined || ms === null) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  return `${(ms / 60_000).toFixed(1)} min`
}

export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined) return '—'
  if (ratio === 0) return '0%'
  const pct = ratio * 100
  return pct < 1 ? `${pct.toFixed(2)}%` : pct < 10 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`
}

export function formatUsd(usd: number | undefined): string {
  if (usd === undefined) return '—'
  if (usd === 0) return '$0.00'
  if (usd < 0.0001) return '<$0.0001'
  if (usd < 0.01) return `$${usd.toFixed(4)}`
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** A timestamp as local "HH:MM:SS" today, else "Mon 3, HH:MM". */
export function formatTime(ts: number, now: number = Date.now()): string {
  const d = new Date(ts)
  const sameDay = new Date(now).toDateString() === d.toDateString()
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: sameDay ? '2-digit' : undefined })
  return sameDay ? time : `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })}, ${time}`
}

