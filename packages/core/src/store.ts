/**
 * Session persistence contract. The client keeps its session in memory and mirrors every change to a
 * SessionStore as batches of operations ("group commit"): one `apply` call per batch, atomic.
 * A store never sees credentials.
 */
import type { PublishProperties, SubscribeOptions } from './types.js'
import type { QoS } from './types.js'
import { InvalidArgumentError } from './errors.js'

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

/**
 * An incoming QoS 2 message that was stored with its packet id and not yet handed to the application. The client
 * stores it before delivering (and before PUBREC), then rewrites the entry without it once delivered: a page that
 * unloads in between delivers it after the reload, instead of losing it to the broker's DUP re-send (which the
 * stored id alone would acknowledge without delivering).
 */
export interface StoredIncomingMessage {
  /** Arrival order among the undelivered messages; strictly increasing. */
  readonly seq: number
  readonly topic: string
  readonly payload: Uint8Array
  readonly retain: boolean
  readonly dup: boolean
  readonly properties?: PublishProperties
}

export interface StoredIncoming extends StoredIncomingMessage {
  readonly mid: number
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
  /** With `message`: received, not yet delivered. Without: delivered (replaces an entry that held the message). */
  | { readonly type: 'putIncoming'; readonly mid: number; readonly message?: StoredIncomingMessage }
  | { readonly type: 'deleteIncoming'; readonly mid: number }
  | { readonly type: 'putSubscription'; readonly subscription: StoredSubscription }
  | { readonly type: 'deleteSubscription'; readonly topic: string }
  | { readonly type: 'putMeta'; readonly meta: SessionMeta }

export interface SessionSnapshot {
  /** Sorted by `seq`, ascending. */
  readonly outgoing: StoredOutgoing[]
  /** QoS2 packet ids received and PUBREC'd, awaiting PUBREL; ascending. */
  readonly incoming: number[]
  /** Those of `incoming` still holding their message (not delivered yet); sorted by `seq`. */
  readonly undelivered: StoredIncoming[]
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
  return { outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined }
}

// Validation: the contract's definition of an invalid op (see test/contract/session-store-checks.ts). Every store
// rejects a batch holding one, applying nothing.

const isSeq = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
const isMid = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
const isQos = (v: unknown): boolean => v === 0 || v === 1 || v === 2
const isBytes = (v: unknown): boolean => v instanceof Uint8Array
const STAGES: readonly unknown[] = ['queued', 'sent', 'released']

/** Throws InvalidArgumentError (a TypeError) when `op` is not a valid StoreOp. */
export function validateStoreOp(op: StoreOp): void {
  const bad = (what: string): never => { throw new InvalidArgumentError(`invalid store op ${String(op?.type)}: ${what}`) }
  if (op === null || typeof op !== 'object') bad('not an object')
  switch (op.type) {
    case 'putOutgoing': {
      const m = op.message
      if (m === null || typeof m !== 'object') return bad('message')
      if (!isSeq(m.seq)) bad(`seq ${String(m.seq)}`)
      if (!STAGES.includes(m.stage)) bad(`stage ${String(m.stage)}`)
      if (m.stage === 'queued' ? !(m.mid === 0 || isMid(m.mid)) : !isMid(m.mid)) bad(`packet id ${String(m.mid)}`)
      if (!isQos(m.qos)) bad(`qos ${String(m.qos)}`)
      return checkMessage(m, bad)
    }
    case 'deleteOutgoing':
      if (!isSeq(op.seq)) bad(`seq ${String(op.seq)}`)
      return
    case 'putIncoming': {
      if (!isMid(op.mid)) bad(`packet id ${String(op.mid)}`)
      const m = op.message
      if (m === undefined) return
      if (m === null || typeof m !== 'object') return bad('message')
      if (!isSeq(m.seq)) bad(`seq ${String(m.seq)}`)
      if (typeof m.retain !== 'boolean' || typeof m.dup !== 'boolean') bad('retain/dup')
      return checkMessage(m, bad)
    }
    case 'deleteIncoming':
      if (!isMid(op.mid)) bad(`packet id ${String(op.mid)}`)
      return
    case 'putSubscription': {
      const s = op.subscription
      if (s === null || typeof s !== 'object' || typeof s.topic !== 'string' || s.topic === '') return bad('topic')
      if (s.options === null || typeof s.options !== 'object' || !isQos(s.options.qos)) bad('qos')
      return
    }
    case 'deleteSubscription':
      if (typeof op.topic !== 'string' || op.topic === '') bad('topic')
      return
    case 'putMeta': {
      const m = op.meta
      if (m === null || typeof m !== 'object') return bad('meta')
      if (typeof m.clientId !== 'string') bad('clientId')
      if (!Number.isInteger(m.protocolVersion)) bad('protocolVersion')
      if (!Number.isInteger(m.nextMid) || m.nextMid < 0 || m.nextMid > 65535) bad(`nextMid ${String(m.nextMid)}`)
      if (!isSeq(m.nextSeq)) bad(`nextSeq ${String(m.nextSeq)}`)
      if (typeof m.updatedAt !== 'number' || !Number.isFinite(m.updatedAt)) bad('updatedAt')
      return
    }
    default:
      bad('unknown op type')
  }
}

/** Topic, payload and properties of a stored message (outgoing or incoming). */
function checkMessage(m: { topic: unknown; payload: unknown; properties?: PublishProperties }, bad: (what: string) => never): void {
  if (typeof m.topic !== 'string') bad('topic')
  if (!isBytes(m.payload)) bad('payload is not a Uint8Array')
  if (m.properties !== undefined && (m.properties === null || typeof m.properties !== 'object')) bad('properties')
  if (m.properties?.correlationData !== undefined && !isBytes(m.properties.correlationData)) bad('correlationData')
}
