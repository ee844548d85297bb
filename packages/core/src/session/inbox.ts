/**
 * Incoming QoS 2 state: packet ids received (and PUBREC'd) whose PUBREL has not come yet. A PUBLISH repeating
 * one of them is acknowledged again but not delivered again: exactly once, across reconnects and, with a
 * persistent store, across page reloads.
 */
import type { Persister } from './persister.js'

export class Inbox {
  readonly #awaitingRel = new Set<number>()
  readonly #persister: () => Persister | undefined

  constructor(persister: () => Persister | undefined) {
    this.#persister = persister
  }

  get size(): number {
    return this.#awaitingRel.size
  }

  has(mid: number): boolean {
    return this.#awaitingRel.has(mid)
  }

  ids(): number[] {
    return [...this.#awaitingRel]
  }

  restore(mids: Iterable<number>): void {
    for (const m of mids) this.#awaitingRel.add(m)
  }

  /** Record a new QoS2 packet id; resolves once durable (immediately without persistence). */
  add(mid: number): Promise<void> | undefined {
    this.#awaitingRel.add(mid)
    return this.#persister()?.enqueue({ type: 'putIncoming', mid })
  }

  /** PUBREL arrived: forget the id. Returns whether it was known. */
  release(mid: number): boolean {
    const known = this.#awaitingRel.delete(mid)
    if (known) void this.#persister()?.enqueue({ type: 'deleteIncoming', mid })
    return known
  }

  clear(): void {
    const p = this.#persister()
    if (p) for (const mid of this.#awaitingRel) void p.enqueue({ type: 'deleteIncoming', mid })
    this.#awaitingRel.clear()
  }
}
