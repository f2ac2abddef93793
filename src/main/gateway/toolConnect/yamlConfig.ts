// YAML config files (Continue's config.yaml, Aider's .aider.conf.yml), edited through the yaml
// library's document model, which keeps comments and the layout of everything not touched.
import { isDeepStrictEqual } from 'node:util'
import { isMap, isSeq, parseDocument, type Document } from 'yaml'
import { ToolConfigError } from './configError'

export function parseYamlDocument(text: string, label: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false })
  if (doc.errors.length > 0) throw new ToolConfigError(`${label} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}): fix it or move it aside, then connect again`)
  if (doc.contents !== null && !isMap(doc.contents)) throw new ToolConfigError(`${label} does not hold a YAML mapping`)
  return doc
}

/** Top-level keys set to the given values (Aider). */
export function setYamlKeys(before: string | undefined, values: Readonly<Record<string, unknown>>, label: string): string {
  const doc = parseYamlDocument(before ?? '', label)
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
  for (const [k, v] of Object.entries(values)) doc.set(k, v)
  const out = doc.toString()
  checkOthersUnchanged(before, out, label, (o) => {
    for (const k of Object.keys(values)) delete o[k]
  })
  return out
}

/**
 * Replaces (or appends) the entry of a top-level list whose `name` is `entryName` (Continue's
 * `models`). `fresh` is the whole document for a file that does not exist yet.
 */
export function upsertYamlListEntry(before: string | undefined, list: string, entryName: string, entry: Record<string, unknown>, fresh: Record<string, unknown>, label: string): string {
  if (before === undefined || before.trim() === '') return stringifyFresh({ ...fresh, [list]: [entry] })
  const doc = parseYamlDocument(before, label)
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
  const seq = doc.get(list, true)
  if (seq === undefined || seq === null) {
    doc.set(list, doc.createNode([entry]))
  } else if (isSeq(seq)) {
    const at = seq.items.findIndex((item) => isMap(item) && item.get('name') === entryName)
    if (at === -1) seq.items.push(doc.createNode(entry))
    else seq.items[at] = doc.createNode(entry)
  } else {
    throw new ToolConfigError(`${label}: "${list}" is not a list`)
  }
  const out = doc.toString()
  checkOthersUnchanged(before, out, label, (o) => {
    const items = o[list]
    if (Array.isArray(items)) {
      const rest = items.filter((i) => !(i && typeof i === 'object' && (i as Record<string, unknown>).name === entryName))
      if (rest.length === 0) delete o[list]
      else o[list] = rest
    }
  })
  return out
}

function stringifyFresh(value: Record<string, unknown>): string {
  const doc = parseDocument('')
  doc.contents = doc.createNode(value) as typeof doc.contents
  return doc.toString()
}

/** Parses before and after, removes what Switchyard owns from both, and demands the rest be equal. */
function checkOthersUnchanged(before: string | undefined, after: string, label: string, strip: (o: Record<string, unknown>) => void): void {
  const read = (t: string): Record<string, unknown> => {
    const v = parseDocument(t).toJS() as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {}
  }
  const was = read(before ?? '')
  const now = read(after)
  strip(was)
  strip(now)
  if (!isDeepStrictEqual(was, now)) throw new ToolConfigError(`${label}: editing it would change other settings; edit it by hand`)
}
