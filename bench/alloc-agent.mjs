// Loaded into a server under test by bench/alloc.mjs (`node --import ./bench/alloc-agent.mjs ...`):
// drives V8's sampling heap profiler from inside the process, on the parent's IPC messages.
//
//   {cmd: 'start'}        collect garbage, then start sampling every allocation (objects collected
//                         by minor and major GCs included, so garbage counts, not only survivors)
//   {cmd: 'stop', file}   stop, write the allocation profile (JSON) to `file`
//
// Each is answered with {ok: cmd} (or {error}). Sampling is by allocated bytes, not by time, so
// the figures do not depend on how busy the machine is.
import fs from 'node:fs'
import { Session } from 'node:inspector'

const INTERVAL = Number(process.env.ALLOC_SAMPLING_INTERVAL) || 1024
const session = new Session()
session.connect()
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))))

process.on('message', (m) => {
  const run = async () => {
    if (m.cmd === 'start') {
      await post('HeapProfiler.enable')
      await post('HeapProfiler.collectGarbage')
      await post('HeapProfiler.startSampling', { samplingInterval: INTERVAL, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
    } else if (m.cmd === 'stop') {
      const { profile } = await post('HeapProfiler.stopSampling')
      fs.writeFileSync(m.file, JSON.stringify(profile))
    }
    return m.cmd
  }
  run().then(
    (ok) => process.send({ ok }),
    (err) => process.send({ error: String(err?.message ?? err) }),
  )
})
// The IPC channel must not keep a stopped server alive.
process.channel?.unref()
