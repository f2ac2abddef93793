// Child process for the crash test: records usage rows under load through the real ledger module
// (bundled by the test) until it is SIGKILLed. Every line it prints is written synchronously (a pipe
// on Linux), so what the parent read had happened before the kill:
//   B <requestId> <ms>   begin() was called (the request is in flight)
//   R <requestId> <ms>   record() was called (the request finished and was acknowledged)
const [bundle, dataDir, windowMs] = process.argv.slice(2)
const { UsageLedger } = await import(bundle)
const ledger = UsageLedger.open({ dataDir, flushIntervalMs: Number(windowMs) })
let next = 0
const open = []
process.stdout.write(`READY ${Date.now()}\n`)
// Steady light load (the time window decides when rows are written), with a burst now and then
// (a full batch is written at once).
let tick = 0
setInterval(() => {
  const lines = []
  const n = ++tick % 100 === 0 ? 600 : 2
  for (let k = 0; k < n; k++) {
    const id = `r${next++}`
    const ts = Date.now()
    ledger.begin({ requestId: id, ts, app: `app${next % 3}`, provider: next % 2 ? 'vllm-a' : 'openai', routeModel: 'local', upstreamModel: 'qwen2.5-7b', endpoint: '/chat/completions', stream: true })
    lines.push(`B ${id} ${ts}`)
    // Every 7th request never finishes: it is in flight whenever the kill comes.
    if (next % 7 !== 0) open.push({ id, ts })
  }
  // Finish the requests begun a few ticks ago (requests take a while).
  while (open.length > 10) {
    const { id, ts } = open.shift()
    ledger.record({ requestId: id, ts, app: 'app', provider: 'vllm-a', routeModel: 'local', upstreamModel: 'qwen2.5-7b', endpoint: '/chat/completions', stream: true, status: 200, state: 'ok', promptTokens: 10, completionTokens: 5, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: 0, latencyMs: 5, ttftMs: 1, attempts: 1, errorClass: null, estimated: false })
    lines.push(`R ${id} ${Date.now()}`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}, 10)
