// Connect a tool: write the keys that point it at Switchyard into its config file, with an app
// key of its own (so its usage shows under its name from the first request), keeping the file as
// it was for a byte-for-byte restore. What was done is recorded in <dataDir>/tools/connections.json.
import fs from 'node:fs'
import path from 'node:path'
import type { ToolConnectResult, ToolId, ToolView } from '../../../shared/api'
import { readIfExists, removeFile, writeFileAtomic } from './atomicFile'
import { normalizeRoot, TOOLS, toolSpec, type FileTool, type ToolPlace, type ToolSpec } from './catalog'
import { ToolConfigError } from './configError'
import { displayPath, evidenceFor } from './detect'

export { ToolConfigError } from './configError'

interface ConnectionRecord {
  connectedAt: number
  /** The file written (absolute). */
  file?: string
  /** Copy of the file as it was before the first connect; null: there was no file. */
  backup?: string | null
  appName: string
  model?: string
}

export interface AppKeyIssuer {
  create(name: string): { name: string; key: string }
  revoke(name: string): void
  list(): Array<{ name: string }>
}

export interface ToolConnectorDeps extends ToolPlace {
  dataDir: string
  appKeys: AppKeyIssuer
  /** The gateway's client base URL, e.g. http://127.0.0.1:7171. */
  root(): string
  /** The model to write when none is chosen, and the models to offer. */
  models(): { suggested: string; all: string[] }
  now?: () => number
}

/** A tool or record problem the caller can act on: not_found (nothing to restore) or invalid (file not editable). */
export class ToolConnectError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_argument',
    message: string,
  ) {
    super(message)
  }
}

const PLACEHOLDER_KEY = 'sy-' + 'x'.repeat(32)

export class ToolConnector {
  private readonly dir: string
  private readonly recordsFile: string

  constructor(private readonly deps: ToolConnectorDeps) {
    this.dir = path.join(deps.dataDir, 'tools')
    this.recordsFile = path.join(this.dir, 'connections.json')
  }

  list(): ToolView[] {
    const records = this.records()
    return TOOLS.map((spec) => this.view(spec, records[spec.id]))
  }

  connect(id: ToolId, model?: string): ToolConnectResult {
    const spec = toolSpec(id)
    const records = this.records()
    const previous = records[id]
    const { suggested, all } = this.deps.models()
    const values = { root: this.deps.root(), model: model ?? previous?.model ?? suggested, models: all }
    if (spec.mode === 'manual') {
      const appName = this.rotateKeyName(spec, previous)
      const { key } = this.deps.appKeys.create(appName)
      records[id] = { connectedAt: this.now(), appName, model: values.model }
      this.save(records)
      return { tool: this.view(spec, records[id], key), key }
    }
    const file = spec.file(this)
    const label = displayPath(file, this.deps.home)
    spec.preflight?.(this, (f) => fs.existsSync(f))
    const beforeBytes = readIfExists(file)
    const before = beforeBytes?.toString('utf8')
    // A dry run with a placeholder key: a file that cannot be edited safely fails before any key or backup exists.
    spec.write(before, { ...values, key: PLACEHOLDER_KEY }, label)

    let backup = previous?.backup
    if (!previous || previous.file !== file) {
      backup = beforeBytes === undefined ? null : this.keepBackup(id, file, beforeBytes)
    }
    const appName = this.rotateKeyName(spec, previous)
    const { key } = this.deps.appKeys.create(appName)
    try {
      writeFileAtomic(file, spec.write(before, { ...values, key }, label))
    } catch (err) {
      this.deps.appKeys.revoke(appName)
      throw err
    }
    records[id] = { connectedAt: this.now(), file, backup, appName, model: spec.usesModel ? values.model : undefined }
    this.save(records)
    return { tool: this.view(spec, records[id]), backupPath: backup ?? undefined }
  }

  /** The file as it was before Switchyard first connected the tool, byte for byte; the tool's key is revoked. */
  restore(id: ToolId): ToolView {
    const spec = toolSpec(id)
    const records = this.records()
    const record = records[id]
    if (!record) throw new ToolConnectError('not_found', `${spec.name} was not connected by Switchyard: there is nothing to restore`)
    if (spec.mode === 'file' && record.file) {
      if (record.backup === null) removeFile(record.file)
      else if (record.backup) {
        const bytes = readIfExists(record.backup)
        if (!bytes) throw new ToolConnectError('not_found', `the backup of ${displayPath(record.file, this.deps.home)} is gone (${record.backup})`)
        writeFileAtomic(record.file, bytes)
        fs.rmSync(record.backup, { force: true })
      }
    }
    if (this.deps.appKeys.list().some((a) => a.name === record.appName)) this.deps.appKeys.revoke(record.appName)
    delete records[id]
    this.save(records)
    return this.view(spec, undefined)
  }

  // ToolPlace, for the catalog's path functions.
  get home(): string {
    return this.deps.home
  }
  get env(): NodeJS.ProcessEnv {
    return this.deps.env
  }
  get platform(): NodeJS.Platform {
    return this.deps.platform
  }

  private view(spec: ToolSpec, record: ConnectionRecord | undefined, key?: string): ToolView {
    const evidence = evidenceFor(spec, this)
    const root = this.deps.root()
    const base: ToolView = {
      id: spec.id,
      name: spec.name,
      installed: evidence.length > 0,
      evidence,
      mode: spec.mode,
      connection: 'none',
      usesModel: spec.mode === 'file' ? spec.usesModel : true,
      canRestore: record !== undefined && spec.mode === 'file',
      note: spec.note,
      connectedAt: record?.connectedAt,
      appName: record?.appName,
      model: record?.model,
    }
    if (spec.mode === 'manual') {
      return { ...base, connection: record ? 'connected' : 'none', steps: spec.steps({ root, model: record?.model ?? this.deps.models().suggested, key }) }
    }
    const file = spec.file(this)
    base.configPath = displayPath(file, this.deps.home)
    const pointsAt = this.pointsAt(spec, file)
    base.pointsAt = pointsAt
    if (pointsAt !== undefined && normalizeRoot(pointsAt) === normalizeRoot(root)) base.connection = 'connected'
    else if (record) base.connection = 'changed'
    return base
  }

  private pointsAt(spec: FileTool, file: string): string | undefined {
    const text = readIfExists(file)?.toString('utf8')
    if (text === undefined) return undefined
    try {
      return spec.pointsAt(text, displayPath(file, this.deps.home))
    } catch (err) {
      if (err instanceof ToolConfigError) return undefined
      throw err
    }
  }

  /** The app-key name for the tool: its earlier one (revoked now, to be issued again) or a free one. */
  private rotateKeyName(spec: ToolSpec, previous: ConnectionRecord | undefined): string {
    const taken = new Set(this.deps.appKeys.list().map((a) => a.name))
    if (previous && taken.has(previous.appName)) {
      this.deps.appKeys.revoke(previous.appName)
      return previous.appName
    }
    if (previous && !taken.has(previous.appName)) return previous.appName
    for (let i = 1; ; i++) {
      const name = i === 1 ? spec.id : `${spec.id}-${i}`
      if (!taken.has(name)) return name
    }
  }

  private keepBackup(id: ToolId, file: string, bytes: Buffer): string {
    const dir = path.join(this.dir, 'backups')
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const target = path.join(dir, `${id}-${this.now()}-${path.basename(file)}`)
    writeFileAtomic(target, bytes)
    return target
  }

  private records(): Partial<Record<ToolId, ConnectionRecord>> {
    const bytes = readIfExists(this.recordsFile)
    if (!bytes) return {}
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as unknown
      return parsed && typeof parsed === 'object' ? (parsed as Partial<Record<ToolId, ConnectionRecord>>) : {}
    } catch {
      return {}
    }
  }

  private save(records: Partial<Record<ToolId, ConnectionRecord>>): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileAtomic(this.recordsFile, JSON.stringify(records, null, 2) + '\n')
  }

  private now(): number {
    return (this.deps.now ?? Date.now)()
  }
}
