/**
 * The message log: newest first, bounded, filterable. New entries are rendered once per animation frame, so a
 * burst of thousands of messages costs at most `limit` DOM nodes per frame.
 */
import { h } from '../dom.js'
import { formatSize, formatTime, formatUserProperties } from '../format.js'
import { BoundedList } from '../bounded-list.js'
import { formattedPayload, matchesLogFilter, type LogEntry } from '../log-model.js'

const KIND_LABEL = { empty: 'empty', text: 'text', json: 'JSON', binary: 'binary (hex)' } as const

export class MessageLogView {
  readonly #list: HTMLOListElement
  readonly #count: HTMLElement
  readonly #model: BoundedList<LogEntry>
  readonly #nodes = new Map<LogEntry, HTMLLIElement>()
  #pending: LogEntry[] = []
  #frame = 0
  #filter = ''
  #received = 0
  #nextId = 1

  constructor(list: HTMLOListElement, count: HTMLElement, limit = 500) {
    this.#list = list
    this.#count = count
    this.#model = new BoundedList(limit)
  }

  add(entry: Omit<LogEntry, 'id'>): void {
    const e: LogEntry = { ...entry, id: this.#nextId++ }
    this.#received++
    for (const old of this.#model.push(e)) {
      this.#nodes.get(old)?.remove()
      this.#nodes.delete(old)
    }
    this.#pending.push(e)
    if (this.#pending.length > this.#model.limit) this.#pending = this.#pending.slice(-this.#model.limit)
    this.#schedule()
  }

  setFilter(filter: string): void {
    this.#filter = filter
    for (const [e, node] of this.#nodes) node.hidden = !matchesLogFilter(e, filter)
    this.#updateCount()
  }

  clear(): void {
    this.#model.clear()
    this.#nodes.clear()
    this.#pending = []
    this.#list.replaceChildren()
    this.#updateCount()
  }

  get size(): number {
    return this.#model.size
  }

  #schedule(): void {
    if (this.#frame !== 0) return
    const run = (): void => { this.#frame = 0; this.#flush() }
    // rAF does not run in background tabs; a timer keeps the log (and its bound) current there too.
    this.#frame = document.hidden ? window.setTimeout(run, 250) : window.requestAnimationFrame(run)
  }

  #flush(): void {
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 0) return
    const frag = document.createDocumentFragment()
    for (let i = batch.length - 1; i >= 0; i--) {
      const e = batch[i] as LogEntry
      const node = this.#render(e)
      node.hidden = !matchesLogFilter(e, this.#filter)
      this.#nodes.set(e, node)
      frag.append(node)
    }
    this.#list.prepend(frag)
    this.#updateCount()
  }

  #render(e: LogEntry): HTMLLIElement {
    const f = formattedPayload(e)
    const props = formatUserProperties(e.userProperties)
    return h(
      'li',
      { class: 'log-entry', 'data-topic': e.topic },
      h(
        'div',
        { class: 'log-meta' },
        h('span', { class: 'log-topic', text: e.topic }),
        h('span', { class: 'badge', text: `QoS ${e.qos}` }),
        e.retain && h('span', { class: 'badge retain', text: 'retained' }),
        e.dup && h('span', { class: 'badge dup', text: 'dup' }),
        h('time', { class: 'log-time', datetime: new Date(e.time).toISOString(), text: formatTime(e.time) }),
        h('span', { class: 'log-size', text: formatSize(f.size) }),
        h('span', { class: 'log-kind', text: KIND_LABEL[f.kind] }),
        e.contentType !== undefined && h('span', { class: 'log-props', text: `content-type: ${e.contentType}` }),
        props !== '' && h('span', { class: 'log-props', text: `user: ${props}` }),
      ),
      h('pre', { class: 'log-payload', 'data-kind': f.kind, text: f.kind === 'empty' ? '(empty payload)' : f.display + (f.truncated ? ' …' : '') }),
    )
  }

  #updateCount(): void {
    const total = this.#model.size
    if (total === 0) {
      this.#count.textContent = this.#received === 0 ? 'No messages yet.' : 'Log cleared.'
      return
    }
    let shown = 0
    for (const n of this.#nodes.values()) if (!n.hidden) shown++
    const filtered = this.#filter.trim() !== '' ? `${shown} of ` : ''
    const bound = this.#received > total ? ` (newest ${this.#model.limit} kept)` : ''
    this.#count.textContent = `Showing ${filtered}${total} message${total === 1 ? '' : 's'}${bound}.`
  }
}
