// The ledger's writer thread (node:worker_threads; built as its own entry, see
// common/workerScript.ts). It opens its own connection to usage.db — which the main thread has
// already opened, recovered, migrated and reconciled — and runs a UsageLedger on it: batching,
// the ≤ 1 s flush window, retries while the database refuses, retention and checkpoints all
// happen here, off the gateway's event loop. See ledgerProtocol.ts for what crosses and how.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { UsageLedger, type LedgerHealth } from './ledger'
import { type LedgerOp } from './ledgerWriter'
import { unpack } from './ledgerOps'
import { SharedLedgerState, type CallReply, type LedgerCall, type LedgerWorkerData, type ToWorker, type WorkerEvent } from './ledgerProtocol'
import { configureConnection, SCHEMA_VERSION } from './ledgerSchema'

// Off the event loop a lock may be waited for longer: fewer spurious degraded spells.
const WORKER_BUSY_TIMEOUT_MS = 1000

const data = workerData as LedgerWorkerData
const shared = new SharedLedgerState(data.shared)
const emit = (event: WorkerEvent): void => data.events.postMessage(event)
let received = -1
let postedError: string | undefined
let postedState: LedgerHealth['state'] | undefined

const db = new Database(data.file, { fileMustExist: true, ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) })
configureConnection(db, data.options.busyTimeoutMs ?? WORKER_BUSY_TIMEOUT_MS)
const version = db.pragma('user_version', { simple: true })
if (version !== SCHEMA_VERSION) throw new Error(`usage.db is at schema ${String(version)}, the writer expects ${SCHEMA_VERSION}`)

const ledger = UsageLedger.attach(db, {
  ...data.options,
  runId: data.runId,
  logger: {
    warn: (obj, msg) => emit({ t: 'log', level: 'warn', obj: plain(obj), msg }),
    error: (obj, msg) => emit({ t: 'log', level: 'error', obj: plain(obj), msg }),
  },
  onHealthChange: () => publish(true),
  onFlushed: () => publish(false),
})
publish(false)
emit({ t: 'ready' })

parentPort!.on('message', (m: ToWorker) => {
  if (m.t === 'ops') {
    const ops: LedgerOp[] = []
    for (let i = 0; i < m.ops.length; i++) {
      const op = unpack(m.ops[i]!, m.first + i)
      if (op) ops.push(op)
    }
    received = m.first + m.ops.length - 1
    ledger.enqueueNumbered(ops)
    publish(false)
    return
  }
  const reply: CallReply = { id: m.id, ok: true }
  try {
    reply.value = call(m.op, m.arg)
  } catch (err) {
    reply.ok = false
    reply.error = (err as Error).message
  }
  reply.health = ledger.health()
  publish(false)
  data.replies.postMessage(reply)
  shared.raise()
  // After 'close' main terminates this thread once it has the reply.
})

function call(op: LedgerCall, arg: unknown): unknown {
  switch (op) {
    case 'flushAll':
      return ledger.flushAll()
    case 'setRetentionDays':
      return ledger.setRetentionDays(Number(arg))
    case 'applyRetention':
      return ledger.applyRetention(typeof arg === 'number' ? arg : undefined)
    case 'checkpoint':
      return ledger.checkpoint()
    case 'pragma':
      return db.pragma(String(arg))
    case 'close':
      return ledger.close()
  }
}

/** The state and its error as an event (when they changed), then the numbers for main to read at any time. */
function publish(transition: boolean): void {
  const h = ledger.health()
  if (transition || h.lastError !== postedError || h.state !== postedState) {
    postedError = h.lastError
    postedState = h.state
    emit({ t: 'health', state: h.state, lastError: h.lastError, since: h.since, transition })
  }
  shared.publish({ backlog: h.backlog, dropped: h.dropped, lastFlushAt: h.lastFlushAt, confirmed: ledger.confirmedSeq, received })
}

/** Log fields as plain data (an Error does not survive the copy to main). */
function plain(obj: object): object {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? v.message : v
  return out
}
