// Worker thread of the bench: samples VmRSS of the server processes from /proc every
// `intervalMs`, on its own event loop so a busy load generator does not delay the samples.
// Messages in:  { type: 'pids', pids: { name: pid } }   processes to watch (replaces the set)
//               { type: 'mark', id }                   answer with the peak since the last mark
// Message out:  { type: 'mark', id, peakKb: { name: kb }, nowKb: { name: kb }, samples }
import { readFileSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

const intervalMs = workerData?.intervalMs ?? 50
let pids = {}
let peak = {}
let samples = 0

function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status)
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined // the process has exited
  }
}

function sample() {
  const now = {}
  for (const [name, pid] of Object.entries(pids)) {
    const kb = rssKb(pid)
    if (kb === undefined) continue
    now[name] = kb
    if (!(peak[name] >= kb)) peak[name] = kb
  }
  samples++
  return now
}

const timer = setInterval(sample, intervalMs)

parentPort.on('message', (msg) => {
  if (msg.type === 'pids') {
    pids = { ...msg.pids }
    sample()
  } else if (msg.type === 'mark') {
    const nowKb = sample()
    parentPort.postMessage({ type: 'mark', id: msg.id, peakKb: peak, nowKb, samples })
    peak = { ...nowKb }
    samples = 0
  } else if (msg.type === 'stop') {
    clearInterval(timer)
    parentPort.close()
  }
})
