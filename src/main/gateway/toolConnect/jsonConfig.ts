// JSON (and JSON with comments) config files, edited in place with jsonc-parser: only the values
// Switchyard owns change; every other byte — comments, key order, indentation — stays.
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type JSONPath, type ParseError } from 'jsonc-parser'
import { ToolConfigError, lineOf } from './configError'

export function parseJsonConfig(text: string, label: string): Record<string, unknown> {
  const errors: ParseError[] = []
  const value: unknown = text.trim() === '' ? {} : parse(text, errors, { allowTrailingComma: true, disallowComments: false })
  if (errors.length > 0) {
    const e = errors[0]!
    throw new ToolConfigError(`${label} is not valid JSON (${printParseErrorCode(e.error)} on line ${lineOf(text, e.offset)}): fix it or move it aside, then connect again`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ToolConfigError(`${label} does not hold a JSON object`)
  return value as Record<string, unknown>
}

/** Sets each path to its value (creating parent objects), leaving the rest of the text as it was. */
export function setJsonValues(before: string | undefined, edits: ReadonlyArray<readonly [JSONPath, unknown]>, label: string): string {
  const base = before === undefined || before.trim() === '' ? '{}\n' : before
  parseJsonConfig(base, label)
  const options: FormattingOptions = { insertSpaces: !/^\t/m.test(base), tabSize: indentWidth(base), eol: base.includes('\r\n') ? '\r\n' : '\n' }
  let out = base
  for (const [path, value] of edits) out = applyEdits(out, modify(out, [...path], value, { formattingOptions: options }))
  return out
}

/** The indentation the file already uses (2 when it has none). */
function indentWidth(text: string): number {
  const m = /^( +)"/m.exec(text)
  return m ? Math.min(8, m[1]!.length) : 2
}
