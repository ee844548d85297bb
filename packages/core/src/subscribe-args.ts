/** Normalises paho's subscribe()/unsubscribe() argument forms, validating everything before anything is sent. */
import { InvalidArgumentError, InvalidFilterError, InvalidQosError } from './errors.js'
import { validateFilter } from './topic.js'
import type { QoS, SubscribeOptions } from './types.js'

export type SubscribeTopicArg = string | [string, QoS | SubscribeOptions] | ReadonlyArray<readonly [string, QoS | SubscribeOptions]>

export function validateQos(qos: unknown): asserts qos is QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new InvalidQosError(`QoS must be 0, 1 or 2, got ${String(qos)}`)
}

function toOptions(q: QoS | SubscribeOptions | undefined): SubscribeOptions {
  if (q === undefined) return { qos: 0 }
  if (typeof q === 'number') {
    validateQos(q)
    return { qos: q }
  }
  if (typeof q !== 'object' || q === null) throw new InvalidQosError(`QoS must be 0, 1, 2 or options, got ${String(q)}`)
  validateQos(q.qos)
  const rh = q.retainHandling as unknown
  if (rh !== undefined && rh !== 0 && rh !== 1 && rh !== 2) {
    throw new InvalidArgumentError(`retainHandling must be 0, 1 or 2, got ${String(rh)}`)
  }
  const out: SubscribeOptions = { qos: q.qos }
  for (const k of ['noLocal', 'retainAsPublished'] as const) if (q[k] !== undefined) out[k] = Boolean(q[k])
  if (rh !== undefined) out.retainHandling = rh as 0 | 1 | 2
  return out
}

export function parseSubscribeArgs(
  topic: SubscribeTopicArg, qos: QoS | SubscribeOptions | undefined,
): Array<{ topic: string; options: SubscribeOptions }> {
  let list: Array<{ topic: string; options: SubscribeOptions }>
  if (typeof topic === 'string') {
    list = [{ topic, options: toOptions(qos) }]
  } else if (Array.isArray(topic)) {
    const arr = topic as readonly unknown[]
    if (arr.length === 2 && typeof arr[0] === 'string' && !Array.isArray(arr[1])) {
      list = [{ topic: arr[0], options: toOptions(arr[1] as QoS | SubscribeOptions) }]
    } else {
      if (arr.length === 0) throw new InvalidArgumentError('subscribe() needs at least one topic')
      list = (topic as ReadonlyArray<unknown>).map((entry) => {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
          throw new InvalidArgumentError('subscribe() list needs [topic, qos] pairs')
        }
        return { topic: entry[0] as string, options: toOptions(entry[1] as QoS | SubscribeOptions) }
      })
    }
  } else {
    throw new InvalidArgumentError('subscribe() needs a topic, [topic, qos] or a list of them')
  }
  for (const s of list) {
    validateFilter(s.topic)
    if (s.options.noLocal && s.topic.startsWith('$share/')) {
      throw new InvalidFilterError(`noLocal not allowed on shared subscription ${s.topic}`)
    }
  }
  return list
}

export function parseUnsubscribeArgs(topic: string | readonly string[]): string[] {
  const list = typeof topic === 'string' ? [topic] : Array.isArray(topic) ? [...topic] : undefined
  if (!list || list.length === 0) throw new InvalidArgumentError('unsubscribe() needs a topic or a non-empty list')
  for (const t of list) validateFilter(t)
  return list
}
