/**
 * A client wired to a ScriptedBroker and FakeTimers, recording everything the unit tests assert on:
 * state changes, status events, log lines and the onDisconnect calls.
 */
import { Buffer } from 'buffer'
import { generate } from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import { afterEach, beforeEach, expect } from 'vitest'
import { Client } from '../../src/index.js'
import type { ClientOptions, ClientState, StatusEvent } from '../../src/index.js'
import type { IPublishPacket } from '../../src/codec.js'
import { FakeTimers, flushMicrotasks } from './fake-timers.js'
import { ScriptedBroker } from './scripted-broker.js'
import type { ScriptOptions, ScriptedConnection } from './scripted-broker.js'

export interface RigOptions extends Partial<Omit<ClientOptions, 'transport' | 'timers'>> {
  autoAck?: boolean
  connack?: ScriptOptions['connack']
  refuse?: ScriptOptions['refuse']
}

export interface Rig {
  timers: FakeTimers
  broker: ScriptedBroker
  client: Client
  states: ClientState[]
  status: StatusEvent[]
  logs: Array<{ level: number; text: string }>
  disconnects: unknown[][]
}

export function rig(opts: RigOptions = {}): Rig {
  const { autoAck, connack, refuse, ...clientOpts } = opts
  const timers = new FakeTimers()
  const broker = new ScriptedBroker({
    autoAck: autoAck ?? true,
    ...(connack !== undefined ? { connack } : {}),
    ...(refuse ? { refuse } : {}),
  })
  const client = new Client({ clientId: 'c1', random: () => 0.5, ...clientOpts, transport: broker, timers })
  const r: Rig = { timers, broker, client, states: [], status: [], logs: [], disconnects: [] }
  client.on('state', (s) => r.states.push(s))
  client.on('status', (e) => r.status.push(e))
  client.onLog = (_c, _u, level, text) => r.logs.push({ level, text })
  client.onDisconnect = (...args) => r.disconnects.push(args)
  return r
}

/** A CONNACK answer for ScriptOptions.connack. */
export function connackWith(fields: Record<string, unknown> = {}): (p: Packet) => Packet {
  return () => ({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false, ...fields }) as unknown as Packet
}

export function publishes(conn: ScriptedConnection): IPublishPacket[] {
  return conn.packets('publish') as IPublishPacket[]
}

export function text(p: { payload: unknown }): string {
  const b = p.payload
  if (typeof b === 'string') return b
  return Buffer.from(b as Uint8Array).toString('utf8')
}

/** Encode a packet as the broker would send it. */
export function bytesOf(p: Record<string, unknown>, protocolVersion = 4): Uint8Array {
  return new Uint8Array(generate(p as never, { protocolVersion } as never))
}

export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0)
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function errorEvents(r: Rig): Error[] {
  return r.status.flatMap((e) => (e.type === 'error' ? [e.error] : []))
}

export async function settle(): Promise<void> {
  await flushMicrotasks(50)
}

/**
 * Fail the test when anything escapes as an uncaught exception or an unhandled rejection.
 * Call at the top level of a describe block (it registers hooks).
 */
export function guardEscapes(): { readonly escaped: unknown[] } {
  const state = { escaped: [] as unknown[] }
  const onErr = (e: unknown): void => { state.escaped.push(e) }
  beforeEach(() => {
    state.escaped.length = 0
    process.on('uncaughtException', onErr)
    process.on('unhandledRejection', onErr)
  })
  afterEach(async () => {
    // Let any late rejection surface before judging.
    await new Promise((r) => setTimeout(r, 0))
    process.off('uncaughtException', onErr)
    process.off('unhandledRejection', onErr)
    expect(state.escaped, 'uncaught exceptions / unhandled rejections').toEqual([])
  })
  return state
}
