// Tool calls across dialects. OpenAI's custom tools (Codex's apply_patch) take raw text instead of
// JSON arguments; dialects without them (Anthropic, most chat servers) get a function with one
// string parameter named `input`, and the call is turned back into a custom call for the client
// that declared the tool. Dialects that carry arguments as an object (Anthropic, Gemini, Ollama)
// convert them from and to the canonical JSON text here.
import type { Json, ToolCallPart, ToolDefinition } from './canonical'
import { isRecord } from './json'

export const CUSTOM_INPUT_PARAMETERS: Json = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The complete raw input for this tool.' } },
  required: ['input'],
  additionalProperties: false,
}

/** A tool as a function for dialects without custom tools; a grammar goes into the description so the model still sees the format. */
export function functionShapeOf(tool: ToolDefinition): { name: string; description?: string; parameters?: Json; strict?: boolean } {
  if (tool.kind === 'function') return tool
  let description = tool.description
  if (tool.format?.type === 'grammar') {
    const grammar = `The input must follow this ${tool.format.syntax} grammar:\n${tool.format.definition}`
    description = description ? `${description}\n\n${grammar}` : grammar
  }
  const out: { name: string; description?: string; parameters: Json } = { name: tool.name, parameters: CUSTOM_INPUT_PARAMETERS }
  if (description !== undefined) out.description = description
  return out
}

export function wrapCustomInput(input: string): string {
  return JSON.stringify({ input })
}

/** A custom call's input from function-style arguments `{"input": "..."}`; other text is taken as the input itself. */
export function unwrapCustomInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args)
    if (isRecord(parsed) && typeof parsed.input === 'string') return parsed.input
  } catch {
    // not JSON: the model wrote the input directly
  }
  return args
}

/** The call's arguments as JSON text, whatever its kind. */
export function argumentsOf(call: ToolCallPart): string {
  return call.kind === 'function' ? call.arguments : wrapCustomInput(call.input)
}

/** The call's raw input, whatever its kind. */
export function inputOf(call: ToolCallPart): string {
  return call.kind === 'custom' ? call.input : unwrapCustomInput(call.arguments)
}

/** The call as the kind the client expects for that tool name. */
export function callAs(call: ToolCallPart, customTools: readonly string[] | undefined): ToolCallPart {
  const wantCustom = customTools?.includes(call.name) === true
  if (wantCustom === (call.kind === 'custom')) return call
  const { id, name } = call
  return wantCustom ? { type: 'tool_call', kind: 'custom', id, name, input: inputOf(call) } : { type: 'tool_call', kind: 'function', id, name, arguments: argumentsOf(call) }
}

export function customToolNames(tools: readonly ToolDefinition[] | undefined): string[] | undefined {
  const names = (tools ?? []).filter((t) => t.kind === 'custom').map((t) => t.name)
  return names.length > 0 ? names : undefined
}

/**
 * Tool-call arguments as a tool_use `input` object (and Gemini's `args`, Ollama's `arguments`). Models (local ones especially) sometimes emit
 * arguments that are not a JSON object; the raw text is kept under `_raw_arguments` rather than
 * dropped, so the conversation still shows what the model produced and the tool reports a clear
 * validation error instead of running with silently empty input.
 */
export function toolInputFromArguments(raw: string): Json {
  if (raw.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(raw)
    if (isRecord(parsed)) return parsed
  } catch {
    // fall through
  }
  return { _raw_arguments: raw }
}

/** The inverse: a tool_use input as an arguments string. */
export function argumentsFromToolInput(input: unknown): string {
  if (isRecord(input)) {
    const raw = input._raw_arguments
    if (typeof raw === 'string' && Object.keys(input).length === 1) return raw
  }
  return JSON.stringify(input ?? {})
}
