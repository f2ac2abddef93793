// Each tool-config writer on a temporary HOME: the keys are written, the file reads back with the
// tool's own format (JSON, TOML, YAML, dotenv), every other key and comment is untouched, and a
// restore puts the previous bytes back exactly.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse as parseDotenv } from 'dotenv'
import { parse as parseJsonc } from 'jsonc-parser'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ToolConnector, ToolConfigError, type AppKeyIssuer } from '../../../../src/main/gateway/toolConnect/connector'
import type { ToolId } from '../../../../src/shared/api'

const ROOT = 'http://127.0.0.1:7391'

function fakeKeys(): AppKeyIssuer & { keys: Map<string, string> } {
  const keys = new Map<string, string>()
  let n = 0
  return {
    keys,
    create(name) {
      if (keys.has(name)) throw new Error(`name taken: ${name}`)
      const key = `sy-${String(++n).padStart(32, 'k')}`
      keys.set(name, key)
      return { name, key }
    },
    revoke(name) {
      if (!keys.delete(name)) throw new Error(`no app ${name}`)
    },
    list: () => [...keys.keys()].map((name) => ({ name })),
  }
}

let home: string
let dataDir: string
let keys: ReturnType<typeof fakeKeys>
let connector: ToolConnector

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-home-'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-data-'))
  keys = fakeKeys()
  connector = new ToolConnector({
    home,
    env: { PATH: path.join(home, 'bin') },
    platform: 'linux',
    dataDir,
    appKeys: keys,
    root: () => ROOT,
    models: () => ({ suggested: 'qwen2.5-coder:7b', all: ['qwen2.5-coder:7b', 'llama3.2'] }),
  })
})

afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true })
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function put(rel: string, text: string): string {
  const file = path.join(home, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

interface Case {
  id: ToolId
  file: string
  before: string
  /** The tool's own parser. */
  read(text: string): unknown
  /** What Switchyard must have set, given the tool's key. */
  expectOwned(parsed: Record<string, unknown>, key: string): void
  /** The parsed file with Switchyard's keys removed must equal the original parsed file. */
  strip(parsed: Record<string, unknown>): Record<string, unknown>
  comment?: string
}

const cases: Case[] = [
  {
    id: 'claude-code',
    file: '.claude/settings.json',
    before: '{\n    "model": "opus",\n    "env": {\n        "DISABLE_TELEMETRY": "1"\n    },\n    "permissions": { "allow": ["Bash(ls:*)"] }\n}\n',
    read: (t) => JSON.parse(t),
    expectOwned: (p, key) => expect(p.env).toMatchObject({ ANTHROPIC_BASE_URL: ROOT, ANTHROPIC_AUTH_TOKEN: key }),
    strip: (p) => {
      const env = { ...(p.env as Record<string, unknown>) }
      delete env.ANTHROPIC_BASE_URL
      delete env.ANTHROPIC_AUTH_TOKEN
      return { ...p, env }
    },
  },
  {
    id: 'codex',
    file: '.codex/config.toml',
    before: '# my codex settings\nmodel = "gpt-5-codex"\nmodel_provider = "openai"\napproval_policy = "on-request"\n\n[model_providers.ollama]\nname = "Ollama" # local\nbase_url = "http://localhost:11434/v1"\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n',
    read: (t) => parseToml(t),
    expectOwned: (p, key) => {
      expect(p.model_provider).toBe('switchyard')
      expect((p.model_providers as Record<string, unknown>).switchyard).toEqual({ name: 'Switchyard', base_url: `${ROOT}/v1`, wire_api: 'responses', experimental_bearer_token: key })
    },
    strip: (p) => {
      const providers = { ...(p.model_providers as Record<string, unknown>) }
      delete providers.switchyard
      const { model_provider: _mp, ...rest } = p
      return { ...rest, model_providers: providers }
    },
    comment: '# my codex settings',
  },
  {
    id: 'gemini-cli',
    file: '.gemini/.env',
    before: '# gemini\nGEMINI_MODEL=gemini-2.5-pro\nGEMINI_API_KEY=AIza-old\nexport OTHER="x y"\n',
    read: (t) => parseDotenv(t),
    expectOwned: (p, key) => expect(p).toMatchObject({ GOOGLE_GEMINI_BASE_URL: ROOT, GEMINI_API_KEY: key }),
    strip: (p) => {
      const { GOOGLE_GEMINI_BASE_URL: _u, GEMINI_API_KEY: _k, ...rest } = p
      return rest
    },
    comment: '# gemini',
  },
  {
    id: 'opencode',
    file: '.config/opencode/opencode.json',
    before: '{\n  // my opencode\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "tokyonight",\n  "provider": {\n    "ollama": { "npm": "@ai-sdk/openai-compatible", "options": { "baseURL": "http://localhost:11434/v1" } }\n  },\n  "model": "ollama/llama3.2"\n}\n',
    read: (t) => parseJsonc(t),
    expectOwned: (p, key) => {
      expect(p.model).toBe('switchyard/qwen2.5-coder:7b')
      const entry = (p.provider as Record<string, Record<string, unknown>>).switchyard!
      expect(entry.npm).toBe('@ai-sdk/openai-compatible')
      expect(entry.options).toEqual({ baseURL: `${ROOT}/v1`, apiKey: key })
      expect(Object.keys(entry.models as object)).toEqual(['qwen2.5-coder:7b', 'llama3.2'])
    },
    strip: (p) => {
      const provider = { ...(p.provider as Record<string, unknown>) }
      delete provider.switchyard
      const { model: _m, ...rest } = p
      return { ...rest, provider }
    },
    comment: '// my opencode',
  },
  {
    id: 'continue',
    file: '.continue/config.yaml',
    before: '# Continue\nname: My Config\nversion: 1.0.0\nschema: v1\nmodels:\n  - name: Llama # local one\n    provider: ollama\n    model: llama3.2\ncontext:\n  - provider: code\n',
    read: (t) => parseYaml(t),
    expectOwned: (p, key) => {
      const models = p.models as Array<Record<string, unknown>>
      expect(models.find((m) => m.name === 'Switchyard')).toEqual({ name: 'Switchyard', provider: 'openai', model: 'qwen2.5-coder:7b', apiBase: `${ROOT}/v1`, apiKey: key })
    },
    strip: (p) => ({ ...p, models: (p.models as Array<Record<string, unknown>>).filter((m) => m.name !== 'Switchyard') }),
    comment: '# local one',
  },
  {
    id: 'qwen-code',
    file: '.qwen/.env',
    before: 'OPENAI_API_KEY=sk-old\nDEBUG=1\n',
    read: (t) => parseDotenv(t),
    expectOwned: (p, key) => expect(p).toMatchObject({ OPENAI_BASE_URL: `${ROOT}/v1`, OPENAI_API_KEY: key, OPENAI_MODEL: 'qwen2.5-coder:7b' }),
    strip: (p) => {
      const { OPENAI_BASE_URL: _u, OPENAI_API_KEY: _k, OPENAI_MODEL: _m, ...rest } = p
      return rest
    },
  },
  {
    id: 'aider',
    file: '.aider.conf.yml',
    before: '# aider\ndark-mode: true\nauto-commits: false # never\nmodel: sonnet\n',
    read: (t) => parseYaml(t),
    expectOwned: (p, key) => expect(p).toMatchObject({ 'openai-api-base': `${ROOT}/v1`, 'openai-api-key': key, model: 'openai/qwen2.5-coder:7b' }),
    strip: (p) => {
      const { 'openai-api-base': _b, 'openai-api-key': _k, model: _m, ...rest } = p
      return rest
    },
    comment: '# never',
  },
]

describe.each(cases)('$id writer', (c) => {
  it('writes the keys, keeps every other key and comment, and restores byte for byte', () => {
    const file = put(c.file, c.before)
    const result = connector.connect(c.id)
    const after = fs.readFileSync(file, 'utf8')
    const parsed = c.read(after) as Record<string, unknown>
    const key = keys.keys.get(c.id)!
    expect(key).toMatch(/^sy-/)
    c.expectOwned(parsed, key)
    const original = c.read(c.before) as Record<string, unknown>
    // Keys the writer owns may have held something before (a model, an old key): compare the rest.
    expect(c.strip(parsed)).toEqual(c.strip(original))
    if (c.comment) expect(after).toContain(c.comment)
    expect(result.tool.connection).toBe('connected')
    expect(result.tool.appName).toBe(c.id)
    expect(fs.readFileSync(result.backupPath!, 'utf8')).toBe(c.before)
    expect(connector.list().find((t) => t.id === c.id)).toMatchObject({ installed: true, connection: 'connected', canRestore: true })

    const restored = connector.restore(c.id)
    expect(fs.readFileSync(file)).toEqual(Buffer.from(c.before))
    expect(restored.connection).toBe('none')
    expect(keys.keys.has(c.id)).toBe(false)
  })

  it('creates the file when there is none, and a restore removes it again', () => {
    connector.connect(c.id)
    const file = path.join(home, c.file)
    const parsed = c.read(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    c.expectOwned(parsed, keys.keys.get(c.id)!)
    connector.restore(c.id)
    expect(fs.existsSync(file)).toBe(false)
  })

  it('reconnecting issues a new key and still restores the file from before the first connect', () => {
    const file = put(c.file, c.before)
    connector.connect(c.id)
    const first = keys.keys.get(c.id)
    connector.connect(c.id)
    const second = keys.keys.get(c.id)
    expect(second).not.toBe(first)
    c.expectOwned(c.read(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, second!)
    connector.restore(c.id)
    expect(fs.readFileSync(file, 'utf8')).toBe(c.before)
  })
})

describe('tool connector', () => {
  it('refuses a file it cannot parse: nothing written, no key issued', () => {
    const file = put('.codex/config.toml', 'model = "gpt-5"\n[broken\n')
    expect(() => connector.connect('codex')).toThrow(ToolConfigError)
    expect(fs.readFileSync(file, 'utf8')).toBe('model = "gpt-5"\n[broken\n')
    expect(keys.keys.size).toBe(0)
  })

  it('refuses a Codex provider defined inline rather than editing around it', () => {
    const text = 'model_providers = { switchyard = { name = "mine", base_url = "http://x" } }\n'
    const file = put('.codex/config.toml', text)
    expect(() => connector.connect('codex')).toThrow(/cannot edit safely|other settings|not valid/)
    expect(fs.readFileSync(file, 'utf8')).toBe(text)
  })

  it('replaces its own Codex table and a top-level model_provider that sits in the top section', () => {
    const text = 'model_provider = "switchyard"\n\n[model_providers.switchyard]\nname = "old"\nbase_url = "http://127.0.0.1:1/v1"\n\n[profiles.fast]\nmodel = "o4-mini"\n'
    const file = put('.codex/config.toml', text)
    connector.connect('codex')
    const parsed = parseToml(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>
    expect(parsed.model_providers!.switchyard!.base_url).toBe(`${ROOT}/v1`)
    expect(parsed.profiles!.fast).toEqual({ model: 'o4-mini' })
  })

  it('does not shadow a Continue config.json with a new config.yaml', () => {
    put('.continue/config.json', '{"models": []}')
    expect(() => connector.connect('continue')).toThrow(/config\.json/)
    expect(fs.existsSync(path.join(home, '.continue/config.yaml'))).toBe(false)
  })

  it('writes through a symlinked config and keeps the link', () => {
    const real = put('dotfiles/claude-settings.json', '{ "theme": "dark" }\n')
    fs.mkdirSync(path.join(home, '.claude'))
    fs.symlinkSync(real, path.join(home, '.claude/settings.json'))
    connector.connect('claude-code')
    expect(fs.lstatSync(path.join(home, '.claude/settings.json')).isSymbolicLink()).toBe(true)
    expect(JSON.parse(fs.readFileSync(real, 'utf8')).env.ANTHROPIC_BASE_URL).toBe(ROOT)
    connector.restore('claude-code')
    expect(fs.readFileSync(real, 'utf8')).toBe('{ "theme": "dark" }\n')
  })

  it('detects tools by config folder and by command on PATH, and says when a file points elsewhere', () => {
    fs.mkdirSync(path.join(home, '.gemini'))
    put('bin/codex', '#!/bin/sh\n')
    fs.chmodSync(path.join(home, 'bin/codex'), 0o755)
    put('.claude/settings.json', JSON.stringify({ env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999' } }))
    const byId = Object.fromEntries(connector.list().map((t) => [t.id, t]))
    expect(byId['gemini-cli']).toMatchObject({ installed: true, evidence: ['~/.gemini'] })
    expect(byId.codex).toMatchObject({ installed: true, evidence: ['codex on PATH'] })
    expect(byId.opencode!.installed).toBe(false)
    expect(byId['claude-code']).toMatchObject({ connection: 'none', pointsAt: 'http://127.0.0.1:9999' })
  })

  it('marks a connected file that was pointed elsewhere later as changed', () => {
    const file = put('.claude/settings.json', '{}\n')
    connector.connect('claude-code')
    fs.writeFileSync(file, JSON.stringify({ env: { ANTHROPIC_BASE_URL: 'https://api.anthropic.com' } }))
    expect(connector.list().find((t) => t.id === 'claude-code')!.connection).toBe('changed')
  })

  it('gives Cursor a key and the exact values to paste', () => {
    const result = connector.connect('cursor')
    expect(result.key).toBe(keys.keys.get('cursor'))
    const values = result.tool.steps!.map((s) => s.value).filter(Boolean)
    expect(values).toEqual([result.key, `${ROOT}/v1`, 'qwen2.5-coder:7b'])
    expect(() => connector.restore('opencode')).toThrow(/nothing to restore/)
  })

  it('uses another key name when the user already has an app called like the tool', () => {
    keys.create('aider')
    connector.connect('aider')
    expect(connector.list().find((t) => t.id === 'aider')!.appName).toBe('aider-2')
  })
})
