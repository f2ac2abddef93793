// How a tool's state reads on its card: pure, so the wording is tested without a browser.
import type { ToolView } from '../../../shared/api'

export interface ToolBadge {
  label: string
  type: 'success' | 'warning' | 'default' | 'info'
}

export function toolBadges(tool: ToolView): ToolBadge[] {
  const badges: ToolBadge[] = [tool.installed ? { label: 'installed', type: 'info' } : { label: 'not found', type: 'default' }]
  if (tool.connection === 'connected') badges.push({ label: tool.mode === 'manual' ? 'key issued' : 'connected', type: 'success' })
  else if (tool.connection === 'changed') badges.push({ label: 'changed since', type: 'warning' })
  else if (tool.pointsAt) badges.push({ label: 'points elsewhere', type: 'warning' })
  return badges
}

/** One line under the name: what was found, or where to look. */
export function toolDetail(tool: ToolView): string {
  if (tool.connection === 'changed') return `Switchyard connected it, but ${tool.configPath ?? 'its config'} now sends it to ${tool.pointsAt ?? 'another server'}.`
  if (tool.connection !== 'connected' && tool.pointsAt) return `${tool.configPath} sends it to ${tool.pointsAt}.`
  if (tool.installed) return `Found: ${tool.evidence.join(', ')}`
  return tool.mode === 'file' ? `Not found on this machine (no ${tool.configPath ?? 'config'} and no command on PATH). Connecting writes the file anyway.` : 'Not found on this machine.'
}

export function connectLabel(tool: ToolView): string {
  if (tool.mode === 'manual') return tool.connection === 'connected' ? 'New key' : 'Get a key'
  return tool.connection === 'none' ? 'Connect' : 'Reconnect'
}

/** Installed tools first, then the rest, each group in the catalog's order. */
export function sortTools(tools: readonly ToolView[]): ToolView[] {
  return [...tools].sort((a, b) => Number(b.installed) - Number(a.installed))
}
