/** A tool's config file that Switchyard will not edit (unparseable, or shaped so an edit could touch other keys). */
export class ToolConfigError extends Error {}

/** 1-based line of a character offset, for messages a person can act on. */
export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length
}
