// The tokenizer's thread (node:worker_threads; built as its own entry, see
// common/workerScript.ts): a TokenCounter whose encodings load and count here, so that neither
// the 0.3-1.2 s load of o200k nor counting a long text ever holds the gateway's event loop.
// TokenThread (tokenThread.ts) is the other end.
import { isMainThread, parentPort } from 'node:worker_threads'
import { TokenCounter, type EncodingName } from './tokenCounter'

export type TokenRequest =
  | { t: 'warm'; id: number; encoding: EncodingName }
  | { t: 'count'; id: number; text: string; encoding: EncodingName }
  /** A long text, as its samples (sampleText) and its length: a few KB cross, not the text. */
  | { t: 'sampled'; id: number; samples: string[]; length: number; encoding: EncodingName }

/** A warm-up answers 1 (loaded) or 0; a count answers the number of tokens. */
export interface TokenReply {
  id: number
  value: number
}

if (!isMainThread && parentPort) {
  const port = parentPort
  const counter = new TokenCounter()
  port.on('message', (m: TokenRequest) => {
    const reply =
      m.t === 'warm' ? counter.warmUp(m.encoding).then((ok) => (ok ? 1 : 0)) : m.t === 'sampled' ? counter.countSampled(m.samples, m.length, m.encoding) : counter.countAsync(m.text, m.encoding)
    void reply.then((value) => port.postMessage({ id: m.id, value } satisfies TokenReply))
  })
}
