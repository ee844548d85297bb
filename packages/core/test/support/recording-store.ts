/**
 * A SessionStore wrapper for tests: counts `apply` batches, keeps a synchronous view of what is durable,
 * can hold batches behind a gate, and can fail on demand.
 */
import { MemoryStore } from '../../src/index.js'
import type { SessionSnapshot, SessionStore, StoreOp, StoredIncomingMessage, StoredOutgoing } from '../../src/index.js'

export class RecordingStore implements SessionStore {
  readonly kind = 'recording'
  readonly inner = new MemoryStore()
  /** Every apply call, in order, with its ops (recorded when called). */
  readonly batches: Array<{ key: string; ops: StoreOp[] }> = []
  /** Committed outgoing records per key, by seq: a synchronous view of what is durable. */
  readonly durable = new Map<string, Map<number, StoredOutgoing>>()
  /** Committed incoming records per key, by packet id: the undelivered message, or null once delivered. */
  readonly durableIncoming = new Map<string, Map<number, StoredIncomingMessage | null>>()
  /** When set, `apply` waits for it before writing. */
  gate: Promise<void> | undefined
  /** When it returns an Error, `apply` (or `load`) rejects with it. */
  failApply: ((n: number, ops: readonly StoreOp[]) => Error | undefined) | undefined
  failLoad: (() => Error | undefined) | undefined
  clears: string[] = []

  async load(key: string): Promise<SessionSnapshot> {
    const e = this.failLoad?.()
    if (e) throw e
    return this.inner.load(key)
  }

  async apply(key: string, ops: readonly StoreOp[]): Promise<void> {
    this.batches.push({ key, ops: [...ops] })
    const n = this.batches.length
    if (this.gate) await this.gate
    const e = this.failApply?.(n, ops)
    if (e) throw e
    await this.inner.apply(key, ops)
    let view = this.durable.get(key)
    if (!view) this.durable.set(key, (view = new Map()))
    let incoming = this.durableIncoming.get(key)
    if (!incoming) this.durableIncoming.set(key, (incoming = new Map()))
    for (const op of ops) {
      if (op.type === 'putOutgoing') view.set(op.message.seq, op.message)
      else if (op.type === 'deleteOutgoing') view.delete(op.seq)
      else if (op.type === 'putIncoming') incoming.set(op.mid, op.message ?? null)
      else if (op.type === 'deleteIncoming') incoming.delete(op.mid)
    }
  }

  async clear(key: string): Promise<void> {
    this.clears.push(key)
    this.durable.delete(key)
    this.durableIncoming.delete(key)
    await this.inner.clear(key)
  }

  keys(): Promise<string[]> {
    return this.inner.keys()
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  /** The durable record (if any) with packet id `mid`. */
  durableByMid(key: string, mid: number): StoredOutgoing | undefined {
    for (const m of this.durable.get(key)?.values() ?? []) if (m.mid === mid) return m
    return undefined
  }

  /** The durable undelivered incoming messages (synchronous view). */
  durableUndelivered(key: string): StoredIncomingMessage[] {
    return [...this.durableIncoming.get(key)?.values() ?? []].filter((m): m is StoredIncomingMessage => m !== null)
  }

  /** Hold every batch until the returned function is called. */
  hold(): () => void {
    let release!: () => void
    this.gate = new Promise<void>((r) => { release = r })
    return () => { this.gate = undefined; release() }
  }
}
