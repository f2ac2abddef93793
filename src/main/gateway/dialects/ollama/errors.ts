// Error bodies for Ollama clients: `{"error": "message"}`, the shape `ollama serve` answers with.
// The HTTP status is kept (Ollama itself answers 400, 404 and 500; its clients read the message).
import type { ErrorInfo } from '../canonical'
import { fallbackErrorMessage } from '../errors'
import type { OllamaErrorBody } from './wire'

export function ollamaErrorBody(e: ErrorInfo | undefined, status?: number): OllamaErrorBody {
  return { error: e?.message ?? fallbackErrorMessage(status) }
}
