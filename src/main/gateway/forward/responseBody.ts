// A complete (non-streamed) JSON answer: checked, metered, and translated or given back the
// model name the client asked for.
import { GatewayError } from '../common/errors'
import { translateResponse } from '../dialects/translation'
import type { AttemptRequest } from './attempt'
import { replaceModelField } from './modelField'

export type Decoded = { ok: true; payload: Buffer } | { ok: false; error: GatewayError }

export function decodeBody(body: Buffer, req: Pick<AttemptRequest, 'translation' | 'clientInfo' | 'rewriteModel' | 'mapAnswer' | 'meter' | 'providerId'>): Decoded {
  if (req.translation === 'passthrough' && req.rewriteModel !== undefined && req.mapAnswer === undefined) {
    const payload = replaceModelField(body, req.rewriteModel)
    if (payload) {
      req.meter?.upstreamChunk(body) // read for usage like any passed-through answer
      return { ok: true, payload }
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return { ok: false, error: new GatewayError('upstream_bad_response', `provider "${req.providerId}" returned a body that is not JSON`) }
  }
  req.meter?.responseBody(parsed)
  if (req.mapAnswer) {
    try {
      return { ok: true, payload: Buffer.from(JSON.stringify(req.mapAnswer(parsed))) }
    } catch (err) {
      return { ok: false, error: err instanceof GatewayError ? err : new GatewayError('upstream_bad_response', `provider "${req.providerId}" returned an answer that cannot be converted`) }
    }
  }
  if (req.translation !== 'passthrough' && req.clientInfo) {
    try {
      return { ok: true, payload: translateResponse(req.translation, parsed, req.clientInfo) }
    } catch (err) {
      return { ok: false, error: err instanceof GatewayError ? err : new GatewayError('upstream_bad_response', `provider "${req.providerId}" returned an answer that cannot be translated`) }
    }
  }
  const model = req.rewriteModel
  if (model !== undefined && typeof parsed === 'object' && parsed !== null && 'model' in parsed) {
    return { ok: true, payload: Buffer.from(JSON.stringify({ ...parsed, model })) }
  }
  return { ok: true, payload: body }
}
