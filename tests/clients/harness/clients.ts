// How each coding-agent CLI is pointed at an OpenAI/Anthropic/Gemini-style endpoint, exactly as a
// user would: the environment variables and config files its documentation gives, written into a
// HOME of its own; telemetry, update checks and other background traffic off; non-interactive
// mode with the prompt on the command line. Each function returns the command to run.
import fs from 'node:fs'
import path from 'node:path'
import { CLIENTS, binPath } from '../../../scripts/install-clients.mjs'

export type ClientId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode' | 'qwen-code' | 'continue-cli'

export interface Endpoint {
  /** The server root, e.g. http://127.0.0.1:PORT (Switchyard, or a mock directly). */
  root: string
  /** The key the CLI sends (Switchyard ignores it; a mock reached directly checks it). */
  key: string
}

export interface ClientSetup {
  home: string
  project: string
  endpoint: Endpoint
  prompt: string
}

export interface ClientCommand {
  bin: string
  args: string[]
  /** Added to the base environment (see baseEnv). */
  env: Record<string, string>
  /** Config files written, relative to HOME, with their contents (printed in reports). */
  files: Record<string, string>
}

/** The pin of a client in scripts/install-clients.mjs. */
export function pinOf(id: ClientId): { pkg: string; version: string; bin: string } {
  const pin = CLIENTS.find((c) => c.id === id)
  if (!pin) throw new Error(`no pin for ${id} in scripts/install-clients.mjs`)
  return { pkg: pin.pkg, version: pin.version, bin: binPath(pin) }
}

/**
 * The environment every CLI starts from: nothing inherited from the developer's shell (no stray
 * OPENAI_API_KEY, ANTHROPIC_BASE_URL, proxies or CI flags), only PATH (this Node first), a HOME
 * and XDG dirs of its own, a plain terminal, and the usual "no telemetry" conventions.
 */
export function baseEnv(home: string): Record<string, string> {
  return {
    PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    USERPROFILE: home,
    TMPDIR: path.join(home, 'tmp'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    DO_NOT_TRACK: '1',
    NO_UPDATE_NOTIFIER: '1',
  }
}

function write(home: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(home, rel)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
}

/** Claude Code: ANTHROPIC_BASE_URL + ANTHROPIC_AUTH_TOKEN (README's "Point a tool at it"), `claude -p`. */
export function claudeCode(s: ClientSetup): ClientCommand {
  return {
    bin: pinOf('claude-code').bin,
    args: ['-p', s.prompt, '--model', 'claude-sonnet-4-5', '--output-format', 'text'],
    env: {
      ANTHROPIC_BASE_URL: s.endpoint.root,
      ANTHROPIC_AUTH_TOKEN: s.endpoint.key,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_BUG_COMMAND: '1',
    },
    files: {},
  }
}

/**
 * Codex CLI: a custom model provider in ~/.codex/config.toml whose base_url is the endpoint's /v1
 * and wire_api "responses" (the only wire API current releases speak), the key from an env var;
 * `codex exec` (non-interactive). Analytics and feedback off; exec never checks for updates.
 */
export function codex(s: ClientSetup): ClientCommand {
  const toml = [
    'model = "gpt-5.5"',
    'model_provider = "switchyard"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.switchyard]',
    'name = "Switchyard"',
    `base_url = "${s.endpoint.root}/v1"`,
    'wire_api = "responses"',
    'env_key = "SWITCHYARD_API_KEY"',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '# The curated plugin marketplace is synced from GitHub at start; a local gateway user may not want that.',
    '[features]',
    'plugins = false',
    '',
  ].join('\n')
  return {
    bin: pinOf('codex').bin,
    args: ['exec', '--skip-git-repo-check', '--color', 'never', s.prompt],
    env: { SWITCHYARD_API_KEY: s.endpoint.key },
    files: { '.codex/config.toml': toml },
  }
}

/** Gemini CLI: GOOGLE_GEMINI_BASE_URL + GEMINI_API_KEY, API-key auth and no statistics in settings.json, `gemini -p`. */
export function geminiCli(s: ClientSetup): ClientCommand {
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  }
  return {
    bin: pinOf('gemini-cli').bin,
    args: ['-p', s.prompt, '-m', 'gemini-2.5-flash'],
    env: { GOOGLE_GEMINI_BASE_URL: s.endpoint.root, GEMINI_API_KEY: s.endpoint.key, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
    files: { '.gemini/settings.json': JSON.stringify(settings, null, 2) },
  }
}

const OPENCODE_ENV = {
  // Every start installs @opencode-ai/plugin into the config dir in the background from the npm
  // registry (no setting turns it off; a failure only logs a warning). A closed loopback registry
  // keeps the run hermetic: the same with or without network.
  npm_config_registry: 'http://127.0.0.1:9/',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
}

/** opencode with an OpenAI-compatible provider (its bundled @ai-sdk/openai-compatible) in opencode.json, `opencode run`. */
export function opencodeCompatible(s: ClientSetup): ClientCommand {
  const config = {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    provider: {
      switchyard: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Switchyard',
        options: { baseURL: `${s.endpoint.root}/v1`, apiKey: s.endpoint.key },
        models: { 'qwen3-coder': { name: 'Qwen3 Coder (via Switchyard)', tool_call: true } },
      },
    },
    model: 'switchyard/qwen3-coder',
    small_model: 'switchyard/qwen3-coder',
  }
  return { bin: pinOf('opencode').bin, args: ['run', s.prompt], env: OPENCODE_ENV, files: { '.config/opencode/opencode.json': JSON.stringify(config, null, 2) } }
}

/** opencode's built-in `openai` provider (the Responses API) with its baseURL moved to the endpoint. */
export function opencodeOpenAI(s: ClientSetup): ClientCommand {
  const config = {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    provider: { openai: { options: { baseURL: `${s.endpoint.root}/v1`, apiKey: s.endpoint.key } } },
    model: 'openai/gpt-5-mini',
  }
  return { bin: pinOf('opencode').bin, args: ['run', s.prompt], env: OPENCODE_ENV, files: { '.config/opencode/opencode.json': JSON.stringify(config, null, 2) } }
}

/** qwen-code: OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL, OpenAI auth and no statistics in settings.json, `qwen -p`. */
export function qwenCode(s: ClientSetup): ClientCommand {
  const settings = {
    security: { auth: { selectedType: 'openai' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false },
    // Background memory extraction after the answer would race the CLI's exit.
    memory: { enableManagedAutoMemory: false },
  }
  return {
    bin: pinOf('qwen-code').bin,
    args: ['-p', s.prompt],
    env: { OPENAI_BASE_URL: `${s.endpoint.root}/v1`, OPENAI_API_KEY: s.endpoint.key, OPENAI_MODEL: 'qwen3-coder-plus' },
    files: { '.qwen/settings.json': JSON.stringify(settings, null, 2) },
  }
}

/** Continue CLI: a model with provider `openai` and apiBase in ~/.continue/config.yaml, `cn -p --config`. */
export function continueCli(s: ClientSetup): ClientCommand {
  const yaml = [
    'name: Switchyard',
    'version: 0.0.1',
    'schema: v1',
    'models:',
    '  - name: Switchyard',
    '    provider: openai',
    '    model: qwen3-coder',
    `    apiBase: ${s.endpoint.root}/v1`,
    `    apiKey: ${s.endpoint.key}`,
    '    roles: [chat, edit, apply]',
    '    capabilities: [tool_use]',
    '',
  ].join('\n')
  return {
    bin: pinOf('continue-cli').bin,
    args: ['-p', s.prompt, '--config', path.join(s.home, '.continue', 'config.yaml')],
    env: { CONTINUE_CLI_ENABLE_TELEMETRY: '0', CONTINUE_METRICS_ENABLED: '0' },
    files: { '.continue/config.yaml': yaml },
  }
}

/** Writes the command's config files into HOME and gives the full environment. */
export function prepare(cmd: ClientCommand, home: string): NodeJS.ProcessEnv {
  write(home, cmd.files)
  const env = { ...baseEnv(home), ...cmd.env }
  fs.mkdirSync(env.TMPDIR!, { recursive: true })
  return env
}
