// .env files (Gemini CLI and qwen-code read ~/.gemini/.env and ~/.qwen/.env with dotenv): the
// lines of the keys Switchyard owns are replaced or appended; every other line stays as it was.
import { parse } from 'dotenv'
import { ToolConfigError } from './configError'

const LINE = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=)/

export function parseEnvConfig(text: string): Record<string, string> {
  return parse(text)
}

export function setEnvValues(before: string | undefined, values: Readonly<Record<string, string>>, label: string): string {
  for (const v of Object.values(values)) if (/[\s"'#\\]/.test(v)) throw new ToolConfigError(`${label}: value ${JSON.stringify(v)} would need quoting`)
  const text = before ?? ''
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const lines = text === '' ? [] : text.split(/\r?\n/)
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === ''
  if (endsWithNewline) lines.pop()
  const written = new Set<string>()
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i]!)
    if (m && Object.hasOwn(values, m[2]!)) {
      lines[i] = `${m[1]}${m[2]}=${values[m[2]!]}`
      written.add(m[2]!)
    }
  }
  for (const [key, value] of Object.entries(values)) if (!written.has(key)) lines.push(`${key}=${value}`)
  const out = lines.join(eol) + eol
  // What the tool will read: our values, and every other key exactly as before.
  const was = parse(text)
  const now = parse(out)
  for (const [key, value] of Object.entries(values)) if (now[key] !== value) throw new ToolConfigError(`${label}: ${key} could not be set safely (a multi-line value?); edit it by hand`)
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (!Object.hasOwn(values, key) && was[key] !== now[key]) throw new ToolConfigError(`${label}: editing it would change ${key}; edit it by hand`)
  }
  return out
}
