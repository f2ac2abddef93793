// The coding tools Switchyard can connect, each with where it keeps its settings, how it is
// found, and exactly which keys point it at the gateway. Everything here is pure: file content
// in, file content out; the connector does the reading and writing.
import path from 'node:path'
import type { ToolId, ToolStep } from '../../../shared/api'
import { ToolConfigError } from './configError'
import { parseEnvConfig, setEnvValues } from './envConfig'
import { parseJsonConfig, setJsonValues } from './jsonConfig'
import { parseTomlConfig, setTomlKeyAndTable } from './tomlConfig'
import { parseYamlDocument, setYamlKeys, upsertYamlListEntry } from './yamlConfig'

/** What a tool's config gets: the gateway root (`http://127.0.0.1:7171`), its own app key, a model. */
export interface ConnectValues {
  root: string
  key: string
  model: string
  /** Models to offer in tools that list them (opencode). */
  models: string[]
}

export interface ToolPlace {
  home: string
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
}

interface ToolBase {
  id: ToolId
  name: string
  /** Commands on PATH that show the tool is installed. */
  binaries: string[]
  /** Folders that show the tool is installed (its config home). */
  dirs(p: ToolPlace): string[]
  note?: string
}

export interface FileTool extends ToolBase {
  mode: 'file'
  file(p: ToolPlace): string
  usesModel: boolean
  /** Throws ToolConfigError when the file cannot be edited safely (checked before anything is written). */
  preflight?(p: ToolPlace, exists: (file: string) => boolean): void
  write(before: string | undefined, v: ConnectValues, label: string): string
  /** The base URL the file sends the tool to now, if the file sets one. */
  pointsAt(text: string, label: string): string | undefined
}

export interface ManualTool extends ToolBase {
  mode: 'manual'
  steps(v: Pick<ConnectValues, 'root' | 'model'> & { key?: string }): ToolStep[]
}

export type ToolSpec = FileTool | ManualTool

const SWITCHYARD = 'switchyard'
const ENTRY_NAME = 'Switchyard'

function xdgConfig(p: ToolPlace): string {
  return p.env.XDG_CONFIG_HOME && path.isAbsolute(p.env.XDG_CONFIG_HOME) ? p.env.XDG_CONFIG_HOME : path.join(p.home, '.config')
}

/** A tool's home folder: its environment variable when set to an absolute path, else ~/<name>. */
function envDir(p: ToolPlace, variable: string, name: string): string {
  const set = p.env[variable]
  return set && path.isAbsolute(set) ? set : path.join(p.home, name)
}

function continueDir(p: ToolPlace): string {
  return envDir(p, 'CONTINUE_GLOBAL_DIR', '.continue')
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

export const TOOLS: readonly ToolSpec[] = [
  {
    id: 'claude-code',
    name: 'Claude Code',
    mode: 'file',
    binaries: ['claude'],
    dirs: (p) => [path.join(p.home, '.claude')],
    file: (p) => path.join(p.home, '.claude', 'settings.json'),
    usesModel: false,
    note: 'Start a new Claude Code session to pick it up. Its model names (opus, sonnet, haiku) go to your models through the tool model names in Routes.',
    write: (before, v, label) =>
      setJsonValues(
        before,
        [
          [['env', 'ANTHROPIC_BASE_URL'], v.root],
          [['env', 'ANTHROPIC_AUTH_TOKEN'], v.key],
        ],
        label,
      ),
    pointsAt: (text, label) => str(obj(parseJsonConfig(text, label).env)?.ANTHROPIC_BASE_URL),
  },
  {
    id: 'codex',
    name: 'Codex CLI',
    mode: 'file',
    binaries: ['codex'],
    dirs: (p) => [envDir(p, 'CODEX_HOME', '.codex')],
    file: (p) => path.join(envDir(p, 'CODEX_HOME', '.codex'), 'config.toml'),
    usesModel: false,
    note: 'Codex speaks the Responses API; its model name (gpt-5-codex, …) goes to your models through the tool model names in Routes.',
    write: (before, v, label) =>
      setTomlKeyAndTable(
        before,
        'model_provider',
        SWITCHYARD,
        `model_providers.${SWITCHYARD}`,
        { name: ENTRY_NAME, base_url: `${v.root}/v1`, wire_api: 'responses', experimental_bearer_token: v.key },
        label,
      ),
    pointsAt: (text, label) => {
      const doc = parseTomlConfig(text, label)
      if (doc.model_provider !== SWITCHYARD) return undefined
      return str(obj(obj(doc.model_providers)?.[SWITCHYARD])?.base_url)
    },
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    mode: 'file',
    binaries: ['gemini'],
    dirs: (p) => [path.join(p.home, '.gemini')],
    file: (p) => path.join(p.home, '.gemini', '.env'),
    usesModel: false,
    note: 'Gemini CLI uses the key only with "Use Gemini API key" sign-in (/auth). It speaks the Gemini API (/v1beta/models/…).',
    write: (before, v, label) => setEnvValues(before, { GOOGLE_GEMINI_BASE_URL: v.root, GEMINI_API_KEY: v.key }, label),
    pointsAt: (text) => parseEnvConfig(text).GOOGLE_GEMINI_BASE_URL,
  },
  {
    id: 'opencode',
    name: 'opencode',
    mode: 'file',
    binaries: ['opencode'],
    dirs: (p) => [path.join(xdgConfig(p), 'opencode'), path.join(p.home, '.opencode')],
    file: (p) => path.join(xdgConfig(p), 'opencode', 'opencode.json'),
    usesModel: true,
    write: (before, v, label) => {
      const models = Object.fromEntries([...new Set([v.model, ...v.models])].map((m) => [m, { name: m }]))
      const fresh = before === undefined || before.trim() === ''
      return setJsonValues(
        before,
        [
          ...(fresh ? [[['$schema'], 'https://opencode.ai/config.json'] as [string[], unknown]] : []),
          [['provider', SWITCHYARD], { npm: '@ai-sdk/openai-compatible', name: ENTRY_NAME, options: { baseURL: `${v.root}/v1`, apiKey: v.key }, models }],
          [['model'], `${SWITCHYARD}/${v.model}`] as [string[], unknown],
        ],
        label,
      )
    },
    pointsAt: (text, label) => str(obj(obj(obj(parseJsonConfig(text, label).provider)?.[SWITCHYARD])?.options)?.baseURL),
  },
  {
    id: 'continue',
    name: 'Continue',
    mode: 'file',
    binaries: ['cn'],
    dirs: (p) => [continueDir(p)],
    file: (p) => path.join(continueDir(p), 'config.yaml'),
    usesModel: true,
    note: 'Pick "Switchyard" in Continue\'s model list.',
    preflight: (p, exists) => {
      const dir = continueDir(p)
      if (!exists(path.join(dir, 'config.yaml')) && exists(path.join(dir, 'config.json'))) {
        throw new ToolConfigError(
          'Continue still uses ~/.continue/config.json: a new config.yaml would replace all of it. Open Continue once so it moves to config.yaml, or add a model with provider "openai" and the apiBase below to config.json by hand',
        )
      }
    },
    write: (before, v, label) =>
      upsertYamlListEntry(
        before,
        'models',
        ENTRY_NAME,
        { name: ENTRY_NAME, provider: 'openai', model: v.model, apiBase: `${v.root}/v1`, apiKey: v.key },
        { name: 'Local config', version: '1.0.0', schema: 'v1' },
        label,
      ),
    pointsAt: (text, label) => {
      const models = parseYamlDocument(text, label).toJS()?.models as unknown
      if (!Array.isArray(models)) return undefined
      return str(obj(models.find((m) => obj(m)?.name === ENTRY_NAME))?.apiBase)
    },
  },
  {
    id: 'qwen-code',
    name: 'Qwen Code',
    mode: 'file',
    binaries: ['qwen'],
    dirs: (p) => [path.join(p.home, '.qwen')],
    file: (p) => path.join(p.home, '.qwen', '.env'),
    usesModel: true,
    note: 'If Qwen Code asks how to sign in, choose OpenAI (it reads OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL from ~/.qwen/.env).',
    write: (before, v, label) => setEnvValues(before, { OPENAI_BASE_URL: `${v.root}/v1`, OPENAI_API_KEY: v.key, OPENAI_MODEL: v.model }, label),
    pointsAt: (text) => parseEnvConfig(text).OPENAI_BASE_URL,
  },
  {
    id: 'aider',
    name: 'Aider',
    mode: 'file',
    binaries: ['aider'],
    dirs: () => [],
    file: (p) => path.join(p.home, '.aider.conf.yml'),
    usesModel: true,
    note: 'Aider reads ~/.aider.conf.yml (a .aider.conf.yml in your repository or command-line flags win over it). The same by hand: aider --openai-api-base <URL> --openai-api-key <key> --model openai/<model>.',
    write: (before, v, label) => setYamlKeys(before, { 'openai-api-base': `${v.root}/v1`, 'openai-api-key': v.key, model: `openai/${v.model}` }, label),
    pointsAt: (text, label) => str(parseYamlDocument(text, label).get('openai-api-base')),
  },
  {
    id: 'cursor',
    name: 'Cursor',
    mode: 'manual',
    binaries: ['cursor'],
    dirs: (p) => [path.join(p.home, '.cursor'), ...(p.platform === 'darwin' ? ['/Applications/Cursor.app'] : [])],
    note: 'Cursor keeps these settings in its own database, so Switchyard cannot write them. Cursor sends custom-key requests from its own servers: a 127.0.0.1 address works only when those servers can reach Switchyard (e.g. through an HTTPS tunnel with app keys required).',
    steps: (v) => [
      { text: 'Open Cursor Settings → Models → API Keys.' },
      { text: 'Under OpenAI API Key, paste this key:', value: v.key ?? '(press Get a key)' },
      { text: 'Turn on "Override OpenAI Base URL" and paste:', value: `${v.root}/v1` },
      { text: 'Add a custom model with this name (or any name your routes serve) and turn it on:', value: v.model },
      { text: 'Press Verify; the request shows up under "cursor" in Requests.' },
    ],
  },
]

export function toolSpec(id: ToolId): ToolSpec {
  const spec = TOOLS.find((t) => t.id === id)
  if (!spec) throw new Error(`unknown tool ${id}`)
  return spec
}

/** `http://127.0.0.1:7171/v1/` -> `http://127.0.0.1:7171`: what "points at this gateway" compares. */
export function normalizeRoot(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v1$/, '').replace(/\/+$/, '').toLowerCase()
}
