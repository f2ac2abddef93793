// One client case end to end: a temp HOME and project (hello.txt whose first word is random), a
// scripted mock backend in the upstream dialect, the built gateway in front of it (or nothing, for
// a control run straight to the mock), the CLI run to completion under a timeout, then the checks:
// exit 0 in time; the answer sentence — which only the mock's second turn can produce, from the
// tool result — in the CLI's output; the tool loop seen by the mock; and one ledger row per model
// call with exactly the usage the mock reported. Artifacts and the failure report: report.ts.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { answerSentence, ScriptedAgent } from '../mocks/agent'
import { startScriptedAnthropic } from '../mocks/scriptedAnthropic'
import { startScriptedChat } from '../mocks/scriptedChat'
import { startScriptedGemini } from '../mocks/scriptedGemini'
import { startScriptedResponses } from '../mocks/scriptedResponses'
import type { Dialect, LedgerUsage, ScriptedMock } from '../mocks/scriptedServer'
import { runCli, type CliRun } from './cliProcess'
import { prepare, type ClientCommand, type ClientSetup } from './clients'
import { probeDialect, startGateway, type LedgerRow, type PendingDialect, type RunningGateway } from './gateway'
import { describeCase, summarizeTrace, traceNetwork, usageKey, writeArtifacts } from './report'

export const ROOT = path.resolve(import.meta.dirname, '../../..')
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'clients')
const FILE = 'hello.txt'
const WORD = /\bswy[0-9a-f]{10}\b/
/**
 * How long one CLI run may take. The slowest case takes ~20 s here (opencode); a client that
 * retries a failing endpoint with backoff (opencode ~75 s, Codex ~7 s) still ends within it, and
 * 13 CLI cases at 2 at a time stay under 10 minutes even if every one of them hangs.
 */
export const CASE_TIMEOUT_MS = 90_000
export const PROMPT = `Read the file ${FILE} in the current directory and tell me its first word.`

export interface CaseSpec {
  /** Folder name for artifacts, e.g. `claude-code--anthropic`. */
  name: string
  command: (s: ClientSetup) => ClientCommand
  upstream: Dialect
  /** `gateway` (the real case) or `direct` (a control run: the CLI talks to the mock itself). */
  via: 'gateway' | 'direct'
  /** The client dialect the gateway must serve for this case (probed again at its start). */
  requires?: PendingDialect
  timeoutMs?: number
}

export interface CaseResult {
  run: CliRun
  mock: ScriptedMock
  ledger: LedgerRow[]
}

/**
 * Behind the gateway a mock serves one model (the gateway must map every name the CLI asks for
 * onto it); reached directly it answers whatever model the CLI names, as the cloud API would.
 */
const STARTERS: Record<Dialect, (o: { agent: ScriptedAgent; anyModel: boolean }) => Promise<ScriptedMock>> = {
  'openai-chat': startScriptedChat,
  'anthropic-messages': startScriptedAnthropic,
  'openai-responses': startScriptedResponses,
  gemini: startScriptedGemini,
}

/** The provider a user would configure for each upstream dialect; every model the CLI asks for maps to the mock's one model. */
function gatewayConfig(mock: ScriptedMock): unknown {
  const kinds: Record<Dialect, { id: string; kind: string; dialects?: string[] } | undefined> = {
    'openai-chat': { id: 'local-vllm', kind: 'vllm' },
    'anthropic-messages': { id: 'anthropic', kind: 'anthropic' },
    // An openai-compatible server that serves the Responses API (this mock serves nothing else):
    // a user says so with `dialects`, and the gateway passes Responses requests through.
    'openai-responses': { id: 'openai', kind: 'openai-compatible', dialects: ['openai-responses'] },
    gemini: { id: 'gemini', kind: 'gemini' },
  }
  const p = kinds[mock.dialect]!
  return {
    version: 1,
    server: { host: '127.0.0.1', port: 0 },
    activeProvider: p.id,
    providers: [{ id: p.id, kind: p.kind, baseUrl: mock.baseUrl, apiKey: mock.key, models: [mock.model], defaultModel: mock.model, ...(p.dialects ? { dialects: p.dialects } : {}) }],
  }
}

export async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const timeoutMs = spec.timeoutMs ?? CASE_TIMEOUT_MS
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sy-clients-${spec.name}-`))
  const home = path.join(tmp, 'home')
  const project = path.join(tmp, 'project')
  fs.mkdirSync(home, { recursive: true })
  fs.mkdirSync(project, { recursive: true })
  const word = `swy${randomBytes(5).toString('hex')}`
  fs.writeFileSync(path.join(project, FILE), `${word} is the first word of this file.\nThe second line is here too.\n`)

  const agent = new ScriptedAgent({ file: FILE, dir: project, wordPattern: WORD })
  const artifacts = path.join(ARTIFACTS, spec.name)
  fs.rmSync(artifacts, { recursive: true, force: true })
  fs.mkdirSync(artifacts, { recursive: true })
  let mock: ScriptedMock | undefined
  let gateway: RunningGateway | undefined
  let run: CliRun | undefined
  let cmd: ClientCommand | undefined
  let ledger: LedgerRow[] = []
  const report = (): string => describeCase(spec, { word, cmd, run, mock, gateway, ledger, artifacts })
  try {
    mock = await STARTERS[spec.upstream]({ agent, anyModel: spec.via === 'direct' })
    if (spec.via === 'gateway') {
      gateway = await startGateway(gatewayConfig(mock), path.join(tmp, 'gateway'))
      if (spec.requires) {
        // Collection decided this case runs, so the path must be served on this gateway too.
        const probe = await probeDialect(gateway.url, spec.requires)
        expect(probe.missing, `${probe.what} answered ${probe.status} on this case's gateway: ${probe.body}`).toBe(false)
      }
    }
    const endpoint = gateway ? { root: gateway.url, key: 'switchyard-client-key' } : { root: mock.url, key: mock.key }
    cmd = spec.command({ home, project, endpoint, prompt: PROMPT })
    const env = prepare(cmd, home)
    const traced = traceNetwork(cmd, artifacts)
    run = await runCli({ bin: traced.bin, args: traced.args, cwd: project, env, timeoutMs })
    if (traced.trace) fs.writeFileSync(path.join(artifacts, 'network.txt'), summarizeTrace(traced.trace))
    if (gateway) ledger = await settledLedger(gateway, mock)
    writeArtifacts(artifacts, { spec, word, cmd, run, mock, gateway, ledger })
    try {
      check({ spec, word, run, mock, ledger, timeoutMs, gateway: gateway !== undefined })
    } catch (err) {
      console.error(report())
      throw err
    }
    return { run, mock, ledger }
  } catch (err) {
    if (!run) console.error(report())
    throw err
  } finally {
    await gateway?.stop()
    await mock?.close()
    if (process.env.SWITCHYARD_CLIENTS_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true })
  }
}

/**
 * The ledger once it holds a finished row for every model call the mock answered (rows are
 * written in batches at most 1 s apart and finish when the meter has read the whole answer).
 */
async function settledLedger(gateway: RunningGateway, mock: ScriptedMock): Promise<LedgerRow[]> {
  const deadline = Date.now() + 8_000
  const settled = (rows: LedgerRow[]): boolean => modelRows(rows).length >= mock.modelCalls.length && rows.every((r) => r.state !== 'in_flight')
  let rows = await gateway.ledger()
  while (Date.now() < deadline && !settled(rows)) {
    await new Promise((r) => setTimeout(r, 200))
    rows = await gateway.ledger()
  }
  return rows
}

/** Rows of requests that reached the provider (the model calls), not probes of unknown paths. */
function modelRows(rows: LedgerRow[]): LedgerRow[] {
  return rows.filter((r) => r.provider !== '' && r.provider !== undefined && r.provider !== null && r.status !== 404)
}

function check(c: { spec: CaseSpec; word: string; run: CliRun; mock: ScriptedMock; ledger: LedgerRow[]; timeoutMs: number; gateway: boolean }): void {
  const { run, mock, word } = c
  expect(run.timedOut, `the CLI did not finish within ${c.timeoutMs} ms`).toBe(false)
  expect(run.code, 'the CLI exit code').toBe(0)
  // The gateway asks an OpenAI-compatible server on loopback once whether it is LM Studio
  // (GET /api/v0/models, to learn which models are loaded); a 404 there is the expected answer.
  const refused = mock.rejected.filter((r) => r.path !== '/api/v0/models')
  expect(refused, 'requests the mock backend had to refuse (wrong key, model or path)').toEqual([])
  expect(mock.agent.calls.length, 'the mock answered with a tool call').toBeGreaterThan(0)
  expect(
    mock.agent.results.some((r) => r.text.includes(word)),
    'the mock received the tool result carrying the file content (the tool loop completed)',
  ).toBe(true)
  const sentence = answerSentence(FILE, word)
  expect(
    mock.modelCalls.some((m) => m.action.kind === 'text' && m.action.text === sentence && m.completed),
    'the mock answered the tool-result turn with the final sentence',
  ).toBe(true)
  expect(run.stdout, 'the CLI printed the final answer').toContain(sentence)
  expect(
    mock.modelCalls.filter((m) => !m.completed).map((m) => m.n),
    'model calls whose answer the client did not read to the end',
  ).toEqual([])
  if (!c.gateway) return
  const rows = modelRows(c.ledger)
  expect(
    rows.filter((r) => r.status !== 200).map((r) => `${r.endpoint} ${r.status} ${r.errorClass}`),
    'ledger rows of failed model requests',
  ).toEqual([])
  expect(rows.map((r) => ({ ...pick(r), estimated: r.estimated })).sort(byKey), 'ledger rows (usage) vs what the mock reported').toEqual(
    mock.modelCalls.map((m) => ({ ...m.usage, estimated: false })).sort(byKey),
  )
}

function pick(r: LedgerRow): LedgerUsage {
  return { promptTokens: r.promptTokens, completionTokens: r.completionTokens, cachedTokens: r.cachedTokens, reasoningTokens: r.reasoningTokens }
}

function byKey(a: LedgerUsage, b: LedgerUsage): number {
  return usageKey(a) < usageKey(b) ? -1 : usageKey(a) > usageKey(b) ? 1 : 0
}

