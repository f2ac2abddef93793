// Google's Gemini API (`v1beta`, the Developer API the @google/genai SDK and Gemini CLI speak) on
// the wire: the subset the codec reads and writes. Inputs are untrusted JSON, so every field is
// optional and the codec checks what it reads. Field names follow the REST reference (camelCase;
// enums as their upper-case names).
import type { Json } from '../canonical'

export interface GeminiFunctionCall {
  /** Newer models name their calls; older ones leave it out and results pair by name and order. */
  id?: string
  name?: string
  args?: Json
}

export interface GeminiFunctionResponse {
  id?: string
  name?: string
  /** By convention `{output}` on success and `{error}` on failure. */
  response?: Json
  /** Multimodal results (Gemini 3): inline data beside the response object. */
  parts?: GeminiPart[]
}

export interface GeminiPart {
  text?: string
  /** A thought summary, shown only when thinkingConfig.includeThoughts is set. */
  thought?: boolean
  /** Opaque proof of the model's thinking; may sit on any part and must come back on the same part. */
  thoughtSignature?: string
  inlineData?: { mimeType?: string; data?: string }
  fileData?: { mimeType?: string; fileUri?: string; displayName?: string }
  functionCall?: GeminiFunctionCall
  functionResponse?: GeminiFunctionResponse
  [key: string]: unknown
}

export interface GeminiContent {
  role?: 'user' | 'model' | string
  parts?: GeminiPart[]
}

export interface GeminiFunctionDeclaration {
  name: string
  description?: string
  /** The OpenAPI subset Gemini has always taken (upper-case type names). */
  parameters?: Json
  /** Full JSON Schema; what the codec sends, since other dialects' schemas need not fit the subset. */
  parametersJsonSchema?: Json
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[]
  [key: string]: unknown
}

export type GeminiCallingMode = 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED'

export interface GeminiThinkingConfig {
  includeThoughts?: boolean
  /** Tokens; 0 turns thinking off (where the model allows), -1 lets the model decide. */
  thinkingBudget?: number
  /** Gemini 3: MINIMAL / LOW / MEDIUM / HIGH. */
  thinkingLevel?: string
}

export interface GeminiGenerationConfig {
  temperature?: number
  topP?: number
  topK?: number
  maxOutputTokens?: number
  stopSequences?: string[]
  candidateCount?: number
  seed?: number
  presencePenalty?: number
  frequencyPenalty?: number
  responseMimeType?: string
  responseSchema?: Json
  responseJsonSchema?: Json
  thinkingConfig?: GeminiThinkingConfig
  [key: string]: unknown
}

export interface GeminiRequest {
  contents: GeminiContent[]
  systemInstruction?: GeminiContent
  tools?: GeminiTool[]
  toolConfig?: { functionCallingConfig?: { mode?: GeminiCallingMode; allowedFunctionNames?: string[] } }
  generationConfig?: GeminiGenerationConfig
  safetySettings?: unknown[]
  cachedContent?: string
  [key: string]: unknown
}

export interface GeminiUsageMetadata {
  /** All prompt tokens, cached ones included. */
  promptTokenCount?: number
  /** Answer tokens, thoughts excluded. */
  candidatesTokenCount?: number
  cachedContentTokenCount?: number
  thoughtsTokenCount?: number
  /** Prompt tokens of built-in tool use (search results, …). */
  toolUsePromptTokenCount?: number
  totalTokenCount?: number
}

export type GeminiFinishReason =
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL'
  | 'TOO_MANY_TOOL_CALLS'

export interface GeminiCandidate {
  content?: GeminiContent
  finishReason?: GeminiFinishReason | string
  index?: number
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[]
  promptFeedback?: { blockReason?: string }
  usageMetadata?: GeminiUsageMetadata
  modelVersion?: string
  responseId?: string
}

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string }
}
