/** The list of active subscriptions, each with its granted QoS (or refusal) and an Unsubscribe button. */
import { h } from '../dom.js'
import type { SavedSubscription } from '../settings.js'

export type SubscriptionStatus =
  | { kind: 'pending' }
  | { kind: 'granted'; qos: number }
  | { kind: 'restored' }
  | { kind: 'resumed'; sessionPresent: boolean }
  | { kind: 'failed'; reason: string }

interface Row {
  sub: SavedSubscription
  status: SubscriptionStatus
}

export class SubscriptionListView {
  readonly #list: HTMLUListElement
  readonly #empty: HTMLElement
  readonly #rows = new Map<string, Row>()
  /** Called when the user asks to unsubscribe. */
  onUnsubscribe: (filter: string) => void = () => {}
  /** Called whenever the set of (non-failed) subscriptions changes. */
  onChange: (subs: SavedSubscription[]) => void = () => {}

  constructor(list: HTMLUListElement, empty: HTMLElement) {
    this.#list = list
    this.#empty = empty
  }

  get filters(): string[] {
    return [...this.#rows.keys()]
  }

  has(filter: string): boolean {
    return this.#rows.has(filter)
  }

  /** Active (not failed) subscriptions, for saving. */
  active(): SavedSubscription[] {
    return [...this.#rows.values()].filter((r) => r.status.kind !== 'failed').map((r) => r.sub)
  }

  set(sub: SavedSubscription, status: SubscriptionStatus): void {
    this.#rows.set(sub.filter, { sub, status })
    this.#render()
  }

  setStatus(filter: string, status: SubscriptionStatus): void {
    const row = this.#rows.get(filter)
    if (!row) return
    row.status = status
    this.#render()
  }

  remove(filter: string): void {
    if (this.#rows.delete(filter)) this.#render()
  }

  /** Change the status of every row that has status `from`. */
  updateWhere(from: SubscriptionStatus['kind'], to: SubscriptionStatus): void {
    let changed = false
    for (const row of this.#rows.values()) {
      if (row.status.kind === from) {
        row.status = to
        changed = true
      }
    }
    if (changed) this.#render()
  }

  replaceAll(subs: readonly SavedSubscription[], status: SubscriptionStatus): void {
    this.#rows.clear()
    for (const s of subs) this.#rows.set(s.filter, { sub: s, status })
    this.#render()
  }

  #render(): void {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.filter : undefined
    const items = [...this.#rows.values()].map(({ sub, status }) => {
      const btn = h('button', { type: 'button', class: 'small', 'data-filter': sub.filter, 'aria-label': `Unsubscribe from ${sub.filter}`, text: 'Unsubscribe' })
      btn.addEventListener('click', () => this.onUnsubscribe(sub.filter))
      const opts = [sub.noLocal && 'no local', sub.retainAsPublished && 'retain as published', sub.retainHandling ? `retain handling ${sub.retainHandling}` : '']
        .filter(Boolean)
        .join(', ')
      return h(
        'li',
        { 'data-filter': sub.filter, 'data-status': status.kind },
        h('span', { class: 'sub-filter', text: sub.filter }),
        h('span', { class: `sub-state${status.kind === 'failed' ? ' failed' : ''}`, text: describe(sub, status) + (opts ? ` · ${opts}` : '') }),
        btn,
      )
    })
    this.#list.replaceChildren(...items)
    this.#empty.hidden = items.length > 0
    if (focused !== undefined) {
      const again = [...this.#list.querySelectorAll<HTMLButtonElement>('button[data-filter]')].find((b) => b.dataset.filter === focused)
      again?.focus()
    }
    this.onChange(this.active())
  }
}

function describe(sub: SavedSubscription, s: SubscriptionStatus): string {
  switch (s.kind) {
    case 'pending': return `QoS ${sub.qos} requested…`
    case 'granted': return `granted QoS ${s.qos}`
    case 'restored': return `QoS ${sub.qos} · saved with the session`
    case 'resumed': return s.sessionPresent ? `QoS ${sub.qos} · kept by the broker` : `QoS ${sub.qos} · re-subscribed`
    case 'failed': return `refused: ${s.reason}`
  }
}
