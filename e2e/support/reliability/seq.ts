/**
 * Sequence-number bookkeeping for the reliability specs. Every test message carries its stream's sequence
 * number (1, 2, …) as its payload; subscribers tally deliveries per sequence number, publishers' sends are
 * observed on the wire. `checkStream` turns both into a list of problems (empty = exact).
 * Plain data only (it crosses page.evaluate and sessionStorage), no imports.
 */

/** Payload of message `seq`. */
export function seqPayload(seq: number): string {
  return String(seq)
}

/** Sequence number of a payload, or undefined for anything else (fences, noise). */
export function parseSeq(payload: string): number | undefined {
  if (!/^[1-9][0-9]{0,8}$/.test(payload)) return undefined
  return Number(payload)
}

/**
 * Deliveries to a subscriber: seq → [times delivered, of which with the DUP flag, QoS 2 re-sends by the broker
 * that any client must take for a new message (after that message's PUBREL, or without DUP), deliveries on the
 * same connection as the previous delivery of that seq, PUBLISH packets received for it on the wire].
 */
export type Tally = Record<number, [count: number, dupCount: number, brokerResent?: number, sameConnection?: number, wire?: number]>

/** A publisher's sends seen on the wire: seq → [PUBLISH packets sent, of which with DUP set]. */
export type Sends = Record<number, [sends: number, dupSends: number]>

export function tallyAdd(t: Tally, seq: number, dup: boolean, brokerResent = false, sameConnection = false): void {
  const e = t[seq] ?? (t[seq] = [0, 0, 0, 0, 0])
  e[0]++
  if (dup) e[1]++
  if (brokerResent) e[2] = (e[2] ?? 0) + 1
  if (sameConnection) e[3] = (e[3] ?? 0) + 1
}

/** Count a PUBLISH packet received for `seq` (before the client handles it). */
export function tallyWire(t: Tally, seq: number): void {
  const e = t[seq] ?? (t[seq] = [0, 0, 0, 0, 0])
  e[4] = (e[4] ?? 0) + 1
}

export function sendsAdd(s: Sends, seq: number, dup: boolean): void {
  const e = s[seq] ?? (s[seq] = [0, 0])
  e[0]++
  if (dup) e[1]++
}

/** 1..n */
export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => from + i)
}

export interface StreamExpectation {
  /** Shown in problems. */
  name: string
  qos: 1 | 2
  /** Sequence numbers 1..count were published. */
  count: number
  tally: Tally
  /** Must be delivered at least once. Default: all of 1..count. */
  mustArrive?: Iterable<number>
  /** The publisher's sends (to check that retransmissions carry DUP, and to explain QoS 1 duplicates). */
  sends?: Sends
  /** Seqs allowed to be delivered more than once without DUP evidence (the broker itself lost their state). */
  dupAllowed?: Iterable<number>
  /** First deliveries must come in increasing seq order. */
  order?: readonly number[]
  /**
   * The broker is known to send QoS 2 messages again in a way no client can tell from a new message (Aedes 1.2.0
   * after a reconnect re-sends the PUBLISH of a message it has already released with PUBREL, and never sets DUP
   * on a re-delivery): duplicates no more numerous than such re-sends (see Tally) are reported as
   * `brokerDuplicates`, not problems. A re-send with DUP before PUBREL delivered again is still a problem.
   */
  brokerResendsQos2AsNew?: boolean
  /**
   * The broker sends a QoS 1 message again without DUP (Aedes 1.2.0 never sets DUP, against MQTT-3.3.1-1, and
   * after a reconnect may send one message twice on the same connection): QoS 1 duplicates are reported as
   * `brokerDuplicates` when the subscriber delivered no more often than PUBLISH packets arrived for it (see
   * Tally), i.e. the client itself added nothing.
   */
  brokerOmitsDup?: boolean
}

export interface StreamReport {
  name: string
  delivered: number
  missing: number[]
  unexpected: number[]
  /** QoS 2: seqs delivered more than once (not in dupAllowed). */
  qos2Duplicates: Array<[seq: number, count: number]>
  /** QoS 1: seqs delivered more often than DUP-flagged redeliveries and DUP retransmissions explain. */
  unexplainedDuplicates: Array<[seq: number, count: number, dupDeliveries: number, dupSends: number]>
  /** Seqs the publisher sent again without setting DUP. */
  retransmitsWithoutDup: Array<[seq: number, sends: number, dupSends: number]>
  /** First deliveries out of order (index, seq). */
  outOfOrder: Array<[index: number, seq: number]>
  /** Total extra deliveries (all explained or allowed when there are no problems). */
  duplicates: number
  /**
   * Duplicates the broker is known to cause (see `brokerResendsQos2AsNew`, `brokerOmitsDup`), not the client:
   * QoS 2 messages re-sent after PUBREL or without DUP, QoS 1 messages sent again without DUP.
   */
  brokerDuplicates: Array<[seq: number, count: number]>
  problems: string[]
}

const head = <T>(xs: readonly T[], n = 15): string =>
  `${JSON.stringify(xs.slice(0, n))}${xs.length > n ? ` … (${xs.length} in all)` : ''}`

/** Check one stream against what exactly-once / at-least-once allow. */
export function checkStream(e: StreamExpectation): StreamReport {
  const seqs = Object.keys(e.tally).map(Number).filter((s) => (e.tally[s]?.[0] ?? 0) > 0)
  const must = e.mustArrive ? [...e.mustArrive] : range(e.count)
  const allowed = new Set(e.dupAllowed ?? [])
  const missing = must.filter((s) => !(e.tally[s]?.[0]))
  const unexpected = seqs.filter((s) => !(s >= 1 && s <= e.count)).sort((a, b) => a - b)
  const qos2Duplicates: StreamReport['qos2Duplicates'] = []
  const unexplainedDuplicates: StreamReport['unexplainedDuplicates'] = []
  const brokerDuplicates: StreamReport['brokerDuplicates'] = []
  let duplicates = 0
  for (const s of seqs.sort((a, b) => a - b)) {
    const [count, dupCount, brokerResent = 0, , wire = 0] = e.tally[s]!
    if (count <= 1) continue
    duplicates += count - 1
    if (allowed.has(s)) continue
    if (e.qos === 2 && e.brokerResendsQos2AsNew && brokerResent >= count - 1) brokerDuplicates.push([s, count])
    else if (e.qos === 2) qos2Duplicates.push([s, count])
    else {
      const dupSends = e.sends?.[s]?.[1] ?? 0
      if (count - 1 <= dupCount + dupSends) continue
      if (e.brokerOmitsDup && count <= wire) brokerDuplicates.push([s, count])
      else unexplainedDuplicates.push([s, count, dupCount, dupSends])
    }
  }
  const retransmitsWithoutDup: StreamReport['retransmitsWithoutDup'] = []
  for (const [k, [sends, dupSends]] of Object.entries(e.sends ?? {})) {
    if (dupSends < sends - 1) retransmitsWithoutDup.push([Number(k), sends, dupSends])
  }
  const outOfOrder: StreamReport['outOfOrder'] = []
  if (e.order) {
    const seen = new Set<number>()
    let last = 0
    e.order.forEach((s, i) => {
      if (seen.has(s)) return
      seen.add(s)
      if (s < last) outOfOrder.push([i, s])
      last = Math.max(last, s)
    })
  }
  const problems: string[] = []
  const n = e.name
  if (missing.length) problems.push(`${n}: ${missing.length} missing: ${head(missing)}`)
  if (unexpected.length) problems.push(`${n}: unexpected seqs ${head(unexpected)}`)
  if (qos2Duplicates.length) problems.push(`${n}: QoS 2 delivered twice [seq, count]: ${head(qos2Duplicates)}`)
  if (unexplainedDuplicates.length) {
    problems.push(`${n}: QoS 1 duplicates without DUP [seq, count, DUP deliveries, DUP sends]: ${head(unexplainedDuplicates)}`)
  }
  if (retransmitsWithoutDup.length) problems.push(`${n}: resent without DUP [seq, sends, DUP sends]: ${head(retransmitsWithoutDup)}`)
  if (outOfOrder.length) problems.push(`${n}: out of order [index, seq]: ${head(outOfOrder)}`)
  return {
    name: n, delivered: seqs.length, missing, unexpected, qos2Duplicates, unexplainedDuplicates, retransmitsWithoutDup,
    outOfOrder, duplicates, brokerDuplicates, problems,
  }
}

/** One line per stream for test annotations. */
export function describeReport(r: StreamReport): string {
  const broker = r.brokerDuplicates.length > 0 ? ` (${r.brokerDuplicates.length} caused by the broker: ${head(r.brokerDuplicates.map(([s]) => s), 10)})` : ''
  return `${r.name}: ${r.delivered} distinct delivered, ${r.duplicates} duplicate deliveries${broker}, ${r.missing.length} missing`
}
