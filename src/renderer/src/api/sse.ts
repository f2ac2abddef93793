// Incremental text/event-stream parser: fed decoded text in arbitrary pieces (a line or an
// event may be split across network reads), it emits complete events.
export interface SseEvent {
  event: string
  data: string
}

export function createSseParser(onEvent: (event: SseEvent) => void): { feed(text: string): void } {
  let carry = ''
  let eventName = ''
  let data: string[] = []

  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: eventName || 'message', data: data.join('\n') })
      eventName = ''
      data = []
      return
    }
    if (text.startsWith(':')) return // comment / keep-alive
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventName = value
    else if (field === 'data') data.push(value)
  }

  return {
    feed(text) {
      carry += text
      // A trailing '\r' may be the first half of '\r\n': keep it until the next piece.
      const re = /\r\n|\n|\r(?!$)/g
      let start = 0
      for (let m = re.exec(carry); m; m = re.exec(carry)) {
        line(carry.slice(start, m.index))
        start = m.index + m[0].length
      }
      carry = carry.slice(start)
    },
  }
}
