// TOML config files (Codex's ~/.codex/config.toml). TOML libraries rewrite the whole file and
// drop comments, so the edit is made on the text — one top-level key and one table — and then
// checked with a real TOML parser: the owned values must read as intended and every other value
// exactly as before, else nothing is written.
import { isDeepStrictEqual } from 'node:util'
import { parse, stringify } from 'smol-toml'
import { ToolConfigError } from './configError'

const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$/

export function parseTomlConfig(text: string, label: string): Record<string, unknown> {
  try {
    return plain(parse(text)) as Record<string, unknown>
  } catch (err) {
    const e = err as Error & { line?: number }
    throw new ToolConfigError(`${label} is not valid TOML (${e.message.split('\n')[0]}${e.line ? ` on line ${e.line}` : ''}): fix it or move it aside, then connect again`)
  }
}

/** Dotted table name without quotes and spaces: `model_providers."switchyard"` -> model_providers.switchyard */
function tableName(raw: string): string {
  return raw
    .split('.')
    .map((p) => p.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'))
    .join('.')
}

/**
 * Sets a top-level string key and replaces one table (`table`, e.g. model_providers.switchyard,
 * and its sub-tables) with `values`.
 */
export function setTomlKeyAndTable(before: string | undefined, topKey: string, topValue: string, table: string, values: Record<string, string>, label: string): string {
  const text = before ?? ''
  const original = parseTomlConfig(text, label)
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const lines = text === '' ? [] : text.split(/\r?\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()

  // Drop the table being replaced and its sub-tables, up to the next header of another table.
  const kept: string[] = []
  let dropping = false
  for (const line of lines) {
    const h = HEADER.exec(line)
    if (h && !line.trim().startsWith('#')) {
      const name = tableName(h[1]!)
      dropping = name === table || name.startsWith(table + '.')
    }
    if (!dropping) kept.push(line)
  }

  // The top-level key lives before the first table header.
  const firstHeader = kept.findIndex((l) => HEADER.test(l) && !l.trim().startsWith('#'))
  const topEnd = firstHeader === -1 ? kept.length : firstHeader
  const keyLine = new RegExp(`^\\s*${topKey}\\s*=`)
  const assignment = `${topKey} = ${stringify({ v: topValue }).replace(/^v = /, '').trim()}`
  const at = kept.slice(0, topEnd).findIndex((l) => keyLine.test(l))
  if (at !== -1) kept[at] = assignment
  else {
    let insertAt = topEnd
    while (insertAt > 0 && kept[insertAt - 1]!.trim() === '') insertAt--
    kept.splice(insertAt, 0, assignment, ...(insertAt === topEnd && firstHeader !== -1 ? [''] : []))
  }

  while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop()
  const body = stringify(values).trim().split(/\r?\n/)
  const out = [...kept, ...(kept.length ? [''] : []), `[${table}]`, ...body].join(eol) + eol

  const now = parseTomlConfig(out, label)
  const path = table.split('.')
  if (now[topKey] !== topValue || !isDeepStrictEqual(dig(now, path), values)) {
    throw new ToolConfigError(`${label}: ${table} is defined in a way Switchyard cannot edit safely (inline or dotted keys); edit it by hand`)
  }
  if (!isDeepStrictEqual(without(original, topKey, path), without(now, topKey, path))) {
    throw new ToolConfigError(`${label}: editing it would change other settings; edit it by hand`)
  }
  return out
}

/** The parser's null-prototype tables as plain objects, so they compare with plain values. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain)
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}

function dig(o: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = o
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined
  return cur
}

/** A deep copy without the top-level key and the table path (parents left empty are removed). */
function without(o: Record<string, unknown>, topKey: string, path: string[]): Record<string, unknown> {
  const copy = structuredClone(o)
  delete copy[topKey]
  const parents: Record<string, unknown>[] = [copy]
  let cur: Record<string, unknown> | undefined = copy
  for (const p of path.slice(0, -1)) {
    const next: unknown = cur?.[p]
    cur = next && typeof next === 'object' ? (next as Record<string, unknown>) : undefined
    if (cur) parents.push(cur)
  }
  if (cur && parents.length === path.length) {
    delete cur[path[path.length - 1]!]
    for (let i = parents.length - 1; i > 0; i--) if (Object.keys(parents[i]!).length === 0) delete parents[i - 1]![path[i - 1]!]
  }
  return copy
}
