// Model names coding tools hard-code — Claude Code's claude-*-opus/sonnet/haiku, Codex's gpt-*,
// Gemini CLI's gemini-*, o1/o3/o4-mini — mapped to models this gateway actually serves, by tier:
// large, default, small (background and title generation go to the smallest). Pure and shared:
// the gateway resolves with it, the dashboard shows the same table.
import { isGlob, type ModelTier, type ToolModelRule, type ToolModelsConfig } from './config'

/** The built-in rules, in order: the first match decides. */
export const BUILTIN_TOOL_RULES: readonly ToolModelRule[] = [
  { match: 'claude-*opus*', tier: 'large' },
  { match: 'claude-*haiku*', tier: 'small' },
  { match: 'claude-*', tier: 'default' },
  { match: 'gpt-*mini*', tier: 'small' },
  { match: 'gpt-*nano*', tier: 'small' },
  { match: 'gpt-*', tier: 'default' },
  { match: 'o[0-9]*-mini*', tier: 'small' },
  { match: 'o[0-9]*', tier: 'large' },
  { match: 'gemini-*flash-lite*', tier: 'small' },
  { match: 'gemini-*flash*', tier: 'default' },
  { match: 'gemini-*pro*', tier: 'large' },
  { match: 'gemini-*', tier: 'default' },
]

export interface TierModels {
  large?: string
  default?: string
  small?: string
}

export interface ToolModelMatch {
  /** The model the name goes to. */
  model: string
  tier?: ModelTier
  /** The rule that matched (`claude-*haiku*`), for the resolver to show. */
  rule: string
  /** Whether the rule is one of the user's (config) or built in. */
  custom: boolean
}

/** `*` any run, `?` one character, `[0-9]` a digit class: enough for model names. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!isGlob(pattern) && !pattern.includes('[')) return pattern.toLowerCase() === name.toLowerCase()
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = pattern.indexOf(']', i)
      if (end === -1) re += '\\['
      else {
        re += `[${pattern.slice(i + 1, end).replace(/[\\^\]]/g, '\\$&')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(re + '$', 'i').test(name)
}

const EMBEDDING = /embed|bge-|minilm|nomic|rerank|whisper|tts/i

/** Parameter count read from a model name (`qwen2.5-coder:32b` -> 32, `llama3.2:3b` -> 3); undefined when it says none. */
export function paramsOf(model: string): number | undefined {
  const m = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)\s*b(?![a-z])/i.exec(model.replace(/x(\d)/g, ' $1'))
  return m ? Number(m[1]) : undefined
}

/**
 * The model of each tier: the configured one, else from the served models — large the one with
 * most parameters, small the fewest, default the active provider's default (else the middle).
 */
export function tierModels(config: ToolModelsConfig | undefined, available: readonly string[], activeDefault?: string): TierModels {
  const chat = available.filter((m) => !EMBEDDING.test(m))
  const sized = chat.map((m) => ({ m, p: paramsOf(m) })).filter((x): x is { m: string; p: number } => x.p !== undefined).sort((a, b) => a.p - b.p)
  const fallback = activeDefault ?? chat[0]
  const picked: TierModels = {
    large: sized.length ? sized[sized.length - 1]!.m : fallback,
    default: activeDefault ?? (sized.length ? sized[Math.floor((sized.length - 1) / 2)]!.m : chat[0]),
    small: sized.length ? sized[0]!.m : fallback,
  }
  return { ...picked, ...definedOnly(config?.tiers ?? {}) }
}

/**
 * Where a tool's model name goes, or undefined when the mapping is off, no rule matches, or the
 * tier has no model. Call it only for names no route or provider serves.
 */
export function mapToolModel(name: string, config: ToolModelsConfig | undefined, tiers: TierModels): ToolModelMatch | undefined {
  if (config?.enabled === false) return undefined
  const custom = (config?.rules ?? []).map((r) => ({ r, custom: true }))
  for (const { r, custom: isCustom } of [...custom, ...BUILTIN_TOOL_RULES.map((r) => ({ r, custom: false }))]) {
    if (!matchesPattern(r.match, name)) continue
    const model = r.model ?? (r.tier ? tiers[r.tier] : undefined)
    if (!model || model === name) return undefined
    return { model, tier: r.model ? undefined : r.tier, rule: r.match, custom: isCustom }
  }
  return undefined
}

/** Names a tool sends, for the dashboard's table: what each would map to now. */
export const SAMPLE_TOOL_NAMES = ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-3-5-haiku-latest', 'gpt-5-codex', 'gpt-4o', 'gpt-4o-mini', 'o3', 'o4-mini', 'gemini-2.5-pro', 'gemini-2.5-flash'] as const

function definedOnly(o: Record<string, string | undefined>): TierModels {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as TierModels
}
