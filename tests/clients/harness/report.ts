// What a client case leaves behind: its artifacts under test-artifacts/clients/<case>/ (the CLI's
// output, its command and config files, every request the mock backend received, the agent's
// decisions, the ledger, the gateway's log, optionally a network trace), and the report printed
// when a check fails.
import fs from 'node:fs'
import path from 'node:path'
import type { ScriptedMock } from '../mocks/scriptedServer'
import type { CliRun } from './cliProcess'
import type { ClientCommand } from './clients'
import type { LedgerRow, RunningGateway } from './gateway'
import type { CaseSpec } from './runCase'

export const usageKey = (u: { promptTokens: number; completionTokens: number; cachedTokens: number; reasoningTokens: number }): string =>
  `${u.promptTokens}/${u.completionTokens}/${u.cachedTokens}/${u.reasoningTokens}`

const tail = (s: string, n = 3000): string => (s.length > n ? `…${s.slice(-n)}` : s)

function requestSummary(mock: ScriptedMock): string[] {
  return mock.requests.map((r) => {
    const b = r.body ?? {}
    const model = typeof b.model === 'string' ? ` model=${b.model}` : ''
    const stream = b.stream === true ? ' stream' : ''
    return `${r.method} ${r.path}${model}${stream} ua=${JSON.stringify(r.headers['user-agent'] ?? '')}`
  })
}

export function describeCase(spec: CaseSpec, s: { word: string; cmd?: ClientCommand; run?: CliRun; mock?: ScriptedMock; gateway?: RunningGateway; ledger: LedgerRow[]; artifacts: string }): string {
  const lines = [`=== client case ${spec.name} (${spec.via === 'gateway' ? `via Switchyard to a ${spec.upstream} mock` : `directly to a ${spec.upstream} mock`}); artifacts: ${s.artifacts}`]
  lines.push(`word: ${s.word}`)
  if (s.cmd) lines.push(`command: ${s.cmd.bin} ${s.cmd.args.map((a) => JSON.stringify(a)).join(' ')}`, `env: ${JSON.stringify(s.cmd.env)}`, ...Object.entries(s.cmd.files).map(([f, text]) => `--- ~/${f}\n${text}`))
  if (s.run) lines.push(`exit: code=${s.run.code} signal=${s.run.signal} timedOut=${s.run.timedOut} in ${s.run.ms} ms`, `--- CLI stdout\n${tail(s.run.stdout)}`, `--- CLI stderr\n${tail(s.run.stderr)}`)
  if (s.mock) {
    lines.push(`--- mock (${s.mock.dialect}) requests\n${requestSummary(s.mock).join('\n')}`)
    lines.push(`--- agent decisions\n${s.mock.agent.decisions.join('\n')}`)
    if (s.mock.rejected.length) lines.push(`--- mock refused\n${s.mock.rejected.map((r) => `${r.status} ${r.path}: ${r.reason}`).join('\n')}`)
  }
  if (s.gateway) {
    lines.push(`--- ledger\n${s.ledger.map((r) => `${r.endpoint} ${r.status} ${r.state} provider=${r.provider} app=${r.app} ${usageKey(r)}${r.estimated ? ' estimated' : ''}${r.errorClass ? ` ${r.errorClass}` : ''}`).join('\n')}`)
    lines.push(`--- gateway stderr\n${tail(s.gateway.process.stderr(), 4000)}`)
  }
  return lines.join('\n')
}

export function writeArtifacts(dir: string, s: { spec: CaseSpec; word: string; cmd: ClientCommand; run: CliRun; mock: ScriptedMock; gateway?: RunningGateway; ledger: LedgerRow[] }): void {
  fs.writeFileSync(path.join(dir, 'cli-stdout.txt'), s.run.stdout)
  fs.writeFileSync(path.join(dir, 'cli-stderr.txt'), s.run.stderr)
  fs.writeFileSync(path.join(dir, 'command.json'), JSON.stringify({ bin: s.cmd.bin, args: s.cmd.args, env: s.cmd.env, files: s.cmd.files, exit: { code: s.run.code, signal: s.run.signal, timedOut: s.run.timedOut, ms: s.run.ms } }, null, 2))
  const requests = s.mock.requests.map((r) => ({ method: r.method, path: r.path, headers: redactHeaders(r.headers), body: r.body ?? r.rawBody }))
  fs.writeFileSync(path.join(dir, 'upstream-requests.json'), JSON.stringify(requests, null, 2))
  fs.writeFileSync(path.join(dir, 'model-calls.json'), JSON.stringify({ decisions: s.mock.agent.decisions, calls: s.mock.modelCalls, rejected: s.mock.rejected }, null, 2))
  if (s.gateway) {
    fs.writeFileSync(path.join(dir, 'ledger.json'), JSON.stringify(s.ledger, null, 2))
    fs.writeFileSync(path.join(dir, 'gateway-stderr.log'), s.gateway.process.stderr())
  }
}

function redactHeaders(h: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, /authorization|api-key|goog-api-key/i.test(k) ? '[redacted]' : v]))
}

/**
 * SWITCHYARD_CLIENTS_STRACE=1 (Linux, strace installed): run the CLI under strace and list every
 * host name it resolved and every address it connected to (network.txt), to check that it talks to
 * loopback only (telemetry, update checks, downloads off).
 */
export function traceNetwork(cmd: ClientCommand, artifacts: string): { bin: string; args: string[]; trace?: string } {
  if (process.env.SWITCHYARD_CLIENTS_STRACE !== '1') return { bin: cmd.bin, args: cmd.args }
  const trace = path.join(artifacts, 'strace.txt')
  return { bin: 'strace', args: ['-f', '-qq', '-e', 'trace=connect,sendto,sendmmsg', '-s', '256', '-o', trace, '--', cmd.bin, ...cmd.args], trace }
}

export function summarizeTrace(file: string): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : ''
  const connects = new Map<string, number>()
  for (const m of text.matchAll(/connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), (?:sin_addr=inet_addr|inet_pton\(AF_INET6, )\("([^"]+)"/g)) {
    const key = `${m[2]}:${m[1]}`
    connects.set(key, (connects.get(key) ?? 0) + 1)
  }
  // DNS questions: length-prefixed labels in the query bytes strace prints with octal escapes.
  const names = new Set<string>()
  for (const m of text.matchAll(/\\0\\0\\1\\0\\0\\0\\0\\0\\0((?:\\\d{1,3}[A-Za-z0-9-]+)+)\\0/g)) {
    names.add(m[1]!.split(/\\\d{1,3}/).filter(Boolean).join('.'))
  }
  return [`connects (address:port count):`, ...[...connects].map(([k, n]) => `  ${k} ${n}`), `DNS names looked up:`, ...[...names].map((n) => `  ${n}`), ''].join('\n')
}
