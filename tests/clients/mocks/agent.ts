// The "model" behind every scripted mock backend: a deterministic agent that completes a one-tool
// task the way a real model would, in whichever dialect the mock speaks. Each mock decodes its
// request into an AgentRequest (the tools offered, the tool calls and results so far, whether a
// JSON answer is wanted) and encodes the AgentAction back in its own wire format.
//
// The policy, for "read FILE and tell me its first word":
//   1. no result yet for a call this agent made, and a usable tool on offer -> call it: the CLI's
//      own read tool (Read / read / read_file, by its path parameter), else its shell tool
//      (exec_command / shell / shell_command / bash) with `cat FILE`;
//   2. a result for one of its calls is in the conversation -> answer with text built from what
//      the tool returned (the first word matching `wordPattern`), never from anything else;
//   3. side requests without tools (titles, summaries, "who speaks next" checks) -> a short text,
//      or for a request that demands JSON, the smallest object its schema allows.
// The agent never sees the expected word: if the tool result does not carry it, the answer says so
// and the test fails.

export interface ToolInfo {
  name: string
  /** `custom`: a freeform tool taking one string (Responses' custom tools such as apply_patch). */
  kind: 'function' | 'custom'
  /** JSON schema of the arguments (function tools). */
  schema?: Record<string, unknown>
}

export interface ToolResultInfo {
  /** The call id the result answers, when the dialect carries one. */
  callId?: string
  /** The tool's name, when the dialect carries it (Gemini's functionResponse). */
  name?: string
  text: string
}

export interface AgentRequest {
  tools: ToolInfo[]
  toolResults: ToolResultInfo[]
  /** A JSON schema the answer must satisfy, or `{}` for "some JSON object". */
  jsonSchema?: Record<string, unknown>
}

export type AgentAction =
  | { kind: 'tool_call'; callId: string; name: string; toolKind: 'function' | 'custom'; args: Record<string, unknown>; input?: string }
  | { kind: 'text'; text: string; why: 'answer' | 'side-request' | 'json' | 'no-tool' }

export interface ReadFileTask {
  /** The file the CLI must read, relative to its working directory. */
  file: string
  /** Absolute path of the working directory (read tools want absolute paths). */
  dir: string
  /** What the file's first word looks like (the agent never knows the word itself). */
  wordPattern: RegExp
}

export interface CallRecord {
  callId: string
  name: string
  args: Record<string, unknown>
}

/** The final answer's wording; tests look for exactly this sentence. */
export function answerSentence(file: string, word: string): string {
  return `The first word of ${file} is ${word}.`
}

const PATH_PARAMS = ['file_path', 'filePath', 'filepath', 'absolute_path', 'path']
const READ_TOOL_NAMES = ['read', 'read_file', 'readfile', 'view']
/** Shell tools by name, with the parameter that takes the command line and its shape. */
const SHELL_TOOLS: Array<{ name: string; param: string }> = [
  { name: 'exec_command', param: 'cmd' },
  { name: 'shell_command', param: 'command' },
  { name: 'shell', param: 'command' },
  { name: 'bash', param: 'command' },
  { name: 'run_shell_command', param: 'command' },
  { name: 'local_shell', param: 'command' },
]

export class ScriptedAgent {
  /** Every tool call this agent made, in order. */
  readonly calls: CallRecord[] = []
  /** Results the CLI sent back for this agent's calls, in order of arrival. */
  readonly results: ToolResultInfo[] = []
  /** Every decision, for the report printed on failure. */
  readonly decisions: string[] = []
  private nextId = 1

  constructor(
    private readonly task: ReadFileTask,
    private readonly idPrefix = 'call_sy',
  ) {}

  decide(req: AgentRequest): AgentAction {
    const ours = req.toolResults.filter((r) => this.isOurs(r))
    for (const r of ours) if (!this.results.some((s) => s.callId === r.callId && s.text === r.text)) this.results.push(r)
    if (ours.length > 0) {
      const text = ours.map((r) => r.text).join('\n')
      const word = this.task.wordPattern.exec(text)?.[0]
      const answer = word
        ? answerSentence(this.task.file, word)
        : `The tool result did not contain the first word of ${this.task.file}; it was: ${text.slice(0, 300)}`
      this.decisions.push(`answer (${word ? 'word found' : 'word missing'})`)
      return req.jsonSchema ? this.json(req.jsonSchema) : { kind: 'text', text: answer, why: 'answer' }
    }
    if (req.jsonSchema) return this.json(req.jsonSchema)
    const call = this.pickCall(req.tools)
    if (!call) {
      const why = req.tools.length === 0 ? 'side-request' : 'no-tool'
      this.decisions.push(`${why}: text (tools offered: ${req.tools.map((t) => t.name).join(', ') || 'none'})`)
      return { kind: 'text', text: `Reading ${this.task.file}.`, why }
    }
    this.calls.push({ callId: call.callId, name: call.name, args: call.args })
    this.decisions.push(`tool_call ${call.name} ${JSON.stringify(call.input ?? call.args)}`)
    return call
  }

  private isOurs(r: ToolResultInfo): boolean {
    if (r.callId !== undefined && r.callId !== '') return this.calls.some((c) => c.callId === r.callId)
    return r.name !== undefined && this.calls.some((c) => c.name === r.name)
  }

  private json(schema: Record<string, unknown>): AgentAction {
    this.decisions.push('json answer')
    return { kind: 'text', text: JSON.stringify(sampleFromSchema(schema)), why: 'json' }
  }

  private pickCall(tools: ToolInfo[]): Extract<AgentAction, { kind: 'tool_call' }> | undefined {
    const callId = `${this.idPrefix}_${this.nextId++}_${Math.random().toString(36).slice(2, 8)}`
    const absolute = `${this.task.dir.replace(/\/$/, '')}/${this.task.file}`
    for (const tool of tools) {
      if (tool.kind !== 'function' || !READ_TOOL_NAMES.includes(tool.name.toLowerCase())) continue
      const props = properties(tool.schema)
      const param = PATH_PARAMS.find((p) => props[p]?.type === 'string')
      if (!param) continue
      return { kind: 'tool_call', callId, name: tool.name, toolKind: 'function', args: { [param]: absolute } }
    }
    for (const shell of SHELL_TOOLS) {
      const tool = tools.find((t) => t.kind === 'function' && t.name.toLowerCase() === shell.name)
      if (!tool) continue
      const prop = properties(tool.schema)[shell.param]
      if (!prop) continue
      const command = prop.type === 'array' ? ['cat', this.task.file] : `cat ${this.task.file}`
      const args: Record<string, unknown> = { [shell.param]: command }
      if (properties(tool.schema).workdir?.type === 'string') args.workdir = this.task.dir
      return { kind: 'tool_call', callId, name: tool.name, toolKind: 'function', args }
    }
    this.nextId--
    return undefined
  }
}

function properties(schema: Record<string, unknown> | undefined): Record<string, { type?: unknown }> {
  const props = schema?.properties
  return typeof props === 'object' && props !== null ? (props as Record<string, { type?: unknown }>) : {}
}

/** The smallest value a JSON schema admits (required properties only, first enum value, ...). */
export function sampleFromSchema(schema: unknown, depth = 0): unknown {
  if (depth > 8 || typeof schema !== 'object' || schema === null) return {}
  const s = schema as Record<string, unknown>
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0]
  if ('const' in s) return s.const
  const anyOf = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(anyOf) && anyOf.length > 0) return sampleFromSchema(anyOf[0], depth + 1)
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  switch (typeof type === 'string' ? type.toLowerCase() : 'object') {
    case 'string':
      return 'ok'
    case 'number':
    case 'integer':
      return typeof s.minimum === 'number' ? s.minimum : 0
    case 'boolean':
      return false
    case 'array':
      return []
    case 'null':
      return null
    default: {
      const out: Record<string, unknown> = {}
      const props = (s.properties ?? {}) as Record<string, unknown>
      const required = Array.isArray(s.required) ? (s.required as string[]) : []
      for (const key of required) out[key] = sampleFromSchema(props[key], depth + 1)
      return out
    }
  }
}

/** Usage a mock reports for its n-th answer (n from 0): distinct per answer, so a ledger row cannot match the wrong one. */
export function scriptedUsage(n: number): { input: number; output: number; cached: number; reasoning: number } {
  return { input: 1200 + 37 * n, output: 40 + 3 * n, cached: 256 + 8 * n, reasoning: 5 + n }
}
