import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { InFlightRow, UsageRow } from '../../../../src/main/gateway/usage/types'

export function tempDir(prefix = 'sy-ledger-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

let seq = 0

export function row(over: Partial<UsageRow> = {}): UsageRow {
  seq++
  return {
    requestId: `req-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    ts: Date.now() - 3_600_000,
    app: 'aider',
    provider: 'vllm-a',
    routeModel: 'local',
    upstreamModel: 'qwen2.5-7b',
    endpoint: '/chat/completions',
    stream: true,
    status: 200,
    state: 'ok',
    promptTokens: 100,
    completionTokens: 20,
    cachedTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.001,
    latencyMs: 1500,
    ttftMs: 120,
    attempts: 1,
    errorClass: null,
    estimated: false,
    ...over,
  }
}

export function inFlight(r: UsageRow): InFlightRow {
  const { requestId, ts, app, provider, routeModel, upstreamModel, endpoint, stream } = r
  return { requestId, ts, app, provider, routeModel, upstreamModel, endpoint, stream }
}
