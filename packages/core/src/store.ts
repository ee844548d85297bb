/**
 * Session persistence contract. The client keeps its session in memory and mirrors every change to a
 * SessionStore as batches of operations ("group commit"): one `apply` call per batch, atomic.
 * A store never sees credentials.
 */
import type { PublishProperties, SubscribeOptions } from './types.js'
import type { QoS } from './types.js'

/** Stage of an outgoing message. */
export type OutgoingStage =
  /** Accepted, not yet sent (offline, or the in-flight window is full). */
  | 'queued'
  /** PUBLISH sent, waiting for PUBACK (QoS1) or PUBREC (QoS2). */
  | 'sent'
  /** QoS2: PUBREC received, PUBREL sent, waiting for PUBCOMP. */
  | 'released'

export interface StoredOutgoing {
  /** Client-wide publish order; strictly increasing. */
  readonly seq: number
  /** Packet identifier while in flight; 0 while queued. */
  readonly mid: number
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: QoS
  readonly retain: boolean
  readonly properties?: PublishProperties
  readonly stage: OutgoingStage
}

export interface StoredSubscription {
  readonly topic: string
  readonly options: SubscribeOptions
}

export interface SessionMeta {
  readonly clientId: string
  readonly protocolVersion: number
  /** Next packet identifier the allocator will try. */
  readonly nextMid: number
  /** Next publish sequence number. */
  readonly nextSeq: number
  /** Wall-clock ms of the last write, for expiry decisions. */
  readonly updatedAt: number
}

export type StoreOp =
  | { readonly type: 'putOutgoing'; readonly message: StoredOutgoing }
  | { readonly type: 'deleteOutgoing'; readonly seq: number }
  | { readonly type: 'putIncoming'; readonly mid: number }
  | { readonly type: 'deleteIncoming'; readonly mid: number }
  | { readonly type: 'putSubscription'; readonly subscription: StoredSubscription }
  | { readonly type: 'deleteSubscription'; readonly topic: string }
  | { readonly type: 'putMeta'; readonly meta: SessionMeta }

export interface SessionSnapshot {
  /** Sorted by `seq`, ascending. */
  readonly outgoing: StoredOutgoing[]
  /** QoS2 packet ids received and PUBREC'd, awaiting PUBREL; ascending. */
  readonly incoming: number[]
  /** Sorted by topic. */
  readonly subscriptions: StoredSubscription[]
  readonly meta: SessionMeta | undefined
}

export interface SessionStore {
  /** Human-readable name for logs ("memory", "indexeddb"). */
  readonly kind: string
  /** Everything stored under `key`; an empty snapshot when nothing is. */
  load(key: string): Promise<SessionSnapshot>
  /** Apply the operations in order, atomically: all or none. Resolves once durable. */
  apply(key: string, ops: readonly StoreOp[]): Promise<void>
  /** Remove everything stored under `key`. */
  clear(key: string): Promise<void>
  /** List the keys that have state. */
  keys(): Promise<string[]>
  /** Release resources. The store must not be used afterwards. */
  close(): Promise<void>
}

export function emptySnapshot(): SessionSnapshot {
  return { outgoing: [], incoming: [], subscriptions: [], meta: undefined }
}
