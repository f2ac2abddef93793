// The provider add/edit form as plain data: presets, conversion from the (masked) config and
// back to what upsertProvider takes, and the checks worth making before a round trip. The key
// never comes back from the gateway: an existing one shows as "stored" and is kept by sending
// the mask, replaced by typing a new one, or removed.
import { PROVIDER_KINDS, SECRET_MASK, type ProviderConfig, type ProviderInput, type ProviderKind } from '../../../shared/config'
import { KIND_LABELS, PROVIDER_PRESETS, type ProviderPreset } from '../../../shared/providerPresets'

// Presets and kind names are each kind's own data (src/shared/providerPresets.ts).
export type { ProviderPreset }
export const PRESETS = PROVIDER_PRESETS
export { KIND_LABELS }
export const KINDS = PROVIDER_KINDS

export interface PriceRow {
  model: string
  inputPerMTok: number | null
  outputPerMTok: number | null
  cachedInputPerMTok: number | null
}

export interface ProviderForm {
  id: string
  name: string
  kind: ProviderKind
  baseUrl: string
  /** A key is stored for this provider (the gateway shows it only as the mask). */
  keyStored: boolean
  /** keep: the stored key stays; replace: `keyValue` becomes the key (literal or env:NAME); remove: no key. */
  keyAction: 'keep' | 'replace' | 'remove'
  keyValue: string
  enabled: boolean
  weight: number
  models: string[]
  defaultModel: string | null
  rpm: number | null
  tpm: number | null
  maxConcurrent: number | null
  queueMaxSize: number
  queueTimeoutMs: number
  queueOverflow: 'reject-new' | 'drop-oldest'
  connectMs: number | null
  firstByteMs: number | null
  idleMs: number | null
  pricing: PriceRow[]
  /** Fields this form does not edit (modelMap, headers, defaultMaxTokens, dialects): carried through untouched. */
  rest: Pick<ProviderConfig, 'modelMap' | 'headers' | 'defaultMaxTokens' | 'dialects'>
}

export function emptyForm(preset?: ProviderPreset): ProviderForm {
  const form: ProviderForm = {
    id: '',
    name: '',
    kind: 'openai-compatible',
    baseUrl: '',
    keyStored: false,
    keyAction: 'replace',
    keyValue: '',
    enabled: true,
    weight: 1,
    models: [],
    defaultModel: null,
    rpm: null,
    tpm: null,
    maxConcurrent: null,
    queueMaxSize: 100,
    queueTimeoutMs: 30_000,
    queueOverflow: 'reject-new',
    connectMs: null,
    firstByteMs: null,
    idleMs: null,
    pricing: [],
    rest: {},
  }
  return preset ? applyPreset(form, preset, []) : form
}

/** Fills kind and URL from a preset, and an id and name when the user has not typed any (unique among `takenIds`). */
export function applyPreset(form: ProviderForm, preset: ProviderPreset, takenIds: readonly string[]): ProviderForm {
  const next = { ...form, kind: preset.kind, baseUrl: preset.baseUrl }
  if (!form.id.trim()) next.id = uniqueId(preset.id, takenIds)
  if (!form.name.trim()) next.name = preset.label
  return next
}

export function uniqueId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`
}

export function presetFor(baseUrl: string): ProviderPreset | undefined {
  const norm = (u: string): string => u.trim().replace(/\/+$/, '').toLowerCase()
  return PRESETS.find((p) => norm(p.baseUrl) === norm(baseUrl))
}

/** The form for a provider as getConfig returns it (literal keys already masked). */
export function formFromProvider(p: ProviderConfig): ProviderForm {
  const masked = p.apiKey === SECRET_MASK
  return {
    id: p.id,
    name: p.name ?? '',
    kind: p.kind,
    baseUrl: p.baseUrl,
    keyStored: masked,
    keyAction: masked ? 'keep' : 'replace',
    // env:NAME references are not secrets: they stay visible and editable.
    keyValue: masked ? '' : (p.apiKey ?? ''),
    enabled: p.enabled,
    weight: p.weight,
    models: [...p.models],
    defaultModel: p.defaultModel ?? null,
    rpm: p.limits.rpm ?? null,
    tpm: p.limits.tpm ?? null,
    maxConcurrent: p.limits.maxConcurrent ?? null,
    queueMaxSize: p.queue.maxSize,
    queueTimeoutMs: p.queue.timeoutMs,
    queueOverflow: p.queue.overflow,
    connectMs: p.timeouts.connectMs ?? null,
    firstByteMs: p.timeouts.firstByteMs ?? null,
    idleMs: p.timeouts.idleMs ?? null,
    pricing: Object.entries(p.pricing ?? {}).map(([model, price]) => ({
      model,
      inputPerMTok: price.inputPerMTok,
      outputPerMTok: price.outputPerMTok,
      cachedInputPerMTok: price.cachedInputPerMTok ?? null,
    })),
    rest: { modelMap: p.modelMap, headers: p.headers, defaultMaxTokens: p.defaultMaxTokens, dialects: p.dialects },
  }
}

const optional = (n: number | null): number | undefined => (n === null || Number.isNaN(n) ? undefined : n)
/** A limit: empty or 0 means "no limit" (the config leaves it out). */
const limit = (n: number | null): number | undefined => (n === null || Number.isNaN(n) || n === 0 ? undefined : n)
const compact = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

export function apiKeyOf(form: Pick<ProviderForm, 'keyStored' | 'keyAction' | 'keyValue'>): string | undefined {
  if (form.keyAction === 'remove') return undefined
  if (form.keyAction === 'keep') return form.keyStored ? SECRET_MASK : undefined
  const typed = form.keyValue.trim()
  return typed === '' ? undefined : typed
}

/** What upsertProvider / testProviderDraft take. */
export function providerFromForm(form: ProviderForm): ProviderInput {
  const pricing = form.pricing.filter((row) => row.model.trim() !== '')
  return compact({
    id: form.id.trim(),
    name: form.name.trim() || undefined,
    kind: form.kind,
    baseUrl: form.baseUrl.trim(),
    apiKey: apiKeyOf(form),
    enabled: form.enabled,
    weight: form.weight,
    models: form.models.map((m) => m.trim()).filter(Boolean),
    defaultModel: form.defaultModel?.trim() || undefined,
    limits: compact({ rpm: limit(form.rpm), tpm: limit(form.tpm), maxConcurrent: limit(form.maxConcurrent) }),
    queue: { maxSize: form.queueMaxSize, timeoutMs: form.queueTimeoutMs, overflow: form.queueOverflow },
    timeouts: compact({ connectMs: optional(form.connectMs), firstByteMs: optional(form.firstByteMs), idleMs: optional(form.idleMs) }),
    pricing:
      pricing.length === 0
        ? undefined
        : Object.fromEntries(
            pricing.map((row) => [
              row.model.trim(),
              compact({ inputPerMTok: row.inputPerMTok ?? 0, outputPerMTok: row.outputPerMTok ?? 0, cachedInputPerMTok: optional(row.cachedInputPerMTok) }),
            ]),
          ),
    ...compact({ ...form.rest }),
  }) as ProviderInput
}

export type FormErrors = Partial<Record<'id' | 'baseUrl' | 'key' | 'pricing' | 'weight' | 'limits' | 'queue', string>>

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/i

/** Checks worth making before a round trip; the gateway validates everything again. */
export function validateForm(form: ProviderForm, opts: { takenIds: readonly string[]; editing: boolean }): FormErrors {
  const errors: FormErrors = {}
  const id = form.id.trim()
  if (!id) errors.id = 'Give the provider an id, e.g. "ollama".'
  else if (!ID_PATTERN.test(id)) errors.id = 'Use letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit.'
  else if (!opts.editing && opts.takenIds.includes(id)) errors.id = `A provider with id "${id}" exists already.`
  const url = form.baseUrl.trim()
  if (!url) errors.baseUrl = 'Enter the base URL from the provider’s docs.'
  else if (!/^https?:\/\/[^/\s]+/i.test(url)) errors.baseUrl = 'Must be an http:// or https:// URL.'
  else {
    try {
      new URL(url)
    } catch {
      errors.baseUrl = 'This is not a valid URL.'
    }
  }
  if (form.keyAction === 'replace' && /^env:/.test(form.keyValue.trim()) && !/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(form.keyValue.trim())) {
    errors.key = 'An environment reference looks like env:OPENAI_API_KEY.'
  }
  if (!(form.weight >= 0)) errors.weight = 'Weight is 0 or more.'
  const limits = [form.rpm, form.tpm, form.maxConcurrent]
  if (limits.some((n) => n !== null && n < 0)) errors.limits = 'Limits cannot be negative. Leave a limit empty (or 0) for no limit.'
  else if (limits.some((n) => n !== null && !Number.isInteger(n))) errors.limits = 'Limits are whole numbers.'
  if (form.queueMaxSize < 0 || !Number.isInteger(form.queueMaxSize)) errors.queue = 'The queue size is 0 (no waiting) or more.'
  else if (!(form.queueTimeoutMs >= 1)) errors.queue = 'The queue wait is at least 1 ms.'
  const models = form.pricing.map((r) => r.model.trim()).filter(Boolean)
  if (new Set(models).size !== models.length) errors.pricing = 'Each model has one price row.'
  else if (form.pricing.some((r) => r.model.trim() && (r.inputPerMTok === null || r.outputPerMTok === null))) errors.pricing = 'Enter input and output prices (per million tokens).'
  return errors
}

export function hasErrors(errors: FormErrors): boolean {
  return Object.keys(errors).length > 0
}
