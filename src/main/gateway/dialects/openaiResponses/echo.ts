// A Response object repeats the request's settings (instructions, tools, tool_choice, sampling,
// text format, …). They are taken from the client's request re-encoded in this dialect, so the
// echo shows what the gateway understood, in Responses shapes.
import type { CanonicalRequest, Json } from '../canonical'
import { encodeResponsesRequest } from './encodeRequest'

export function responsesEcho(request: CanonicalRequest): Json {
  const body = encodeResponsesRequest(request, {}).body
  return {
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: body.reasoning ?? null,
    temperature: body.temperature ?? null,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    metadata: body.metadata ?? {},
  }
}

/** What a Response object says about the request when the client's request is not at hand. */
export const DEFAULT_ECHO: Json = {
  instructions: null,
  parallel_tool_calls: true,
  temperature: null,
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  metadata: {},
}
