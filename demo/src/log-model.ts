/** The message log's entries and the filter rule. Pure, unit-tested. */
import { topicMatchesSub } from '@webmqtt/browser'
import { formatPayload, type FormattedPayload } from './format.js'

export interface LogEntry {
  id: number
  topic: string
  payload: Uint8Array
  qos: 0 | 1 | 2
  retain: boolean
  dup: boolean
  /** ms since epoch */
  time: number
  contentType?: string | undefined
  userProperties?: Record<string, string | string[]> | undefined
}

/** Display form of an entry's payload, computed once. */
const formatted = new WeakMap<LogEntry, FormattedPayload>()
export function formattedPayload(e: LogEntry): FormattedPayload {
  let f = formatted.get(e)
  if (!f) {
    f = formatPayload(e.payload, e.contentType === undefined ? {} : { contentType: e.contentType })
    formatted.set(e, f)
  }
  return f
}

/**
 * Does the entry match the filter box? Empty matches all. A filter with MQTT wildcards (`+`, `#`) is matched
 * against the topic as a topic filter; otherwise it is a case-insensitive substring of the topic or payload.
 */
export function matchesLogFilter(e: LogEntry, filter: string): boolean {
  const f = filter.trim()
  if (f === '') return true
  if (/[+#]/.test(f)) {
    try {
      if (topicMatchesSub(f, e.topic)) return true
    } catch {
      // not a valid filter: fall back to text search
    }
  }
  const needle = f.toLowerCase()
  return e.topic.toLowerCase().includes(needle) || formattedPayload(e).display.toLowerCase().includes(needle)
}
