import { emptySnapshot, validateStoreOp } from './store.js'
import type { PublishProperties } from './types.js'
import type {
  SessionMeta, SessionSnapshot, SessionStore, StoreOp, StoredIncoming, StoredIncomingMessage, StoredOutgoing,
  StoredSubscription,
} from './store.js'

interface Entry {
  outgoing: Map<number, StoredOutgoing>
  /** Packet id → its undelivered message, or undefined once delivered. */
  incoming: Map<number, StoredIncomingMessage | undefined>
  subscriptions: Map<string, StoredSubscription>
  meta: SessionMeta | undefined
}

/**
 * In-memory SessionStore. State survives a new Client in the same process (pass the same store),
 * not a page reload. Stored values are copied so later mutation by the caller cannot leak in.
 */
export class MemoryStore implements SessionStore {
  readonly kind = 'memory'
  readonly #entries = new Map<string, Entry>()
  #closed = false

  async load(key: string): Promise<SessionSnapshot> {
    this.#check()
    const e = this.#entries.get(key)
    if (!e) return emptySnapshot()
    return {
      outgoing: [...e.outgoing.values()].sort((a, b) => a.seq - b.seq).map(copyMessage),
      incoming: [...e.incoming.keys()].sort((a, b) => a - b),
      undelivered: [...e.incoming]
        .flatMap(([mid, m]): StoredIncoming[] => (m ? [{ ...copyMessage(m), mid }] : []))
        .sort((a, b) => a.seq - b.seq),
      subscriptions: [...e.subscriptions.values()]
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))
        .map((s) => structuredClone(s)),
      meta: e.meta ? { ...e.meta } : undefined,
    }
  }

  async apply(key: string, ops: readonly StoreOp[]): Promise<void> {
    this.#check()
    // Validate first so the batch is all-or-none.
    for (const op of ops) validateStoreOp(op)
    let e = this.#entries.get(key)
    if (!e) {
      e = { outgoing: new Map(), incoming: new Map(), subscriptions: new Map(), meta: undefined }
      this.#entries.set(key, e)
    }
    for (const op of ops) {
      switch (op.type) {
        case 'putOutgoing': e.outgoing.set(op.message.seq, copyMessage(op.message)); break
        case 'deleteOutgoing': e.outgoing.delete(op.seq); break
        case 'putIncoming': e.incoming.set(op.mid, op.message && copyMessage(op.message)); break
        case 'deleteIncoming': e.incoming.delete(op.mid); break
        case 'putSubscription': e.subscriptions.set(op.subscription.topic, structuredClone(op.subscription)); break
        case 'deleteSubscription': e.subscriptions.delete(op.topic); break
        case 'putMeta': e.meta = { ...op.meta }; break
      }
    }
  }

  async clear(key: string): Promise<void> {
    this.#check()
    this.#entries.delete(key)
  }

  async keys(): Promise<string[]> {
    this.#check()
    return [...this.#entries.keys()].sort()
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #check(): void {
    if (this.#closed) throw new Error('MemoryStore closed')
  }
}

/** A deep copy of a stored message: its own payload and correlationData bytes, cloned properties. */
function copyMessage<T extends { payload: Uint8Array; properties?: PublishProperties }>(m: T): T {
  if (!m.properties) return { ...m, payload: m.payload.slice() }
  // structuredClone of a view would keep its whole underlying buffer: copy the bytes themselves.
  const { correlationData, ...rest } = m.properties
  const properties = structuredClone(rest) as PublishProperties
  if (correlationData) properties.correlationData = correlationData.slice()
  return { ...m, payload: m.payload.slice(), properties }
}
