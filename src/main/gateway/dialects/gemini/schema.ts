// Gemini's `parameters` and `responseSchema` use an OpenAPI 3.0 subset (upper-case type names,
// `nullable`, `propertyOrdering`); the canonical model and every other dialect use JSON Schema.
// Gemini also takes JSON Schema itself (`parametersJsonSchema`, `responseJsonSchema`), which is
// what the encoder sends, so only the decoder converts.
import type { Json } from '../canonical'
import { isRecord } from '../json'

/** OpenAPI-subset schema -> JSON Schema: type names lower-cased, `nullable` as a "null" type, Gemini-only keys left out. */
export function jsonSchemaFromOpenApi(schema: Json): Json {
  const out: Json = {}
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'type':
        out.type = typeof value === 'string' ? value.toLowerCase() : value
        break
      case 'nullable':
      case 'propertyOrdering':
        break
      case 'properties':
        out.properties = isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isRecord(v) ? jsonSchemaFromOpenApi(v) : v])) : value
        break
      case 'items':
        out.items = isRecord(value) ? jsonSchemaFromOpenApi(value) : value
        break
      case 'anyOf':
        out.anyOf = Array.isArray(value) ? value.map((v) => (isRecord(v) ? jsonSchemaFromOpenApi(v) : v)) : value
        break
      default:
        out[key] = value
    }
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null']
  return out
}
