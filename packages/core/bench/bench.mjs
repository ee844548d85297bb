#!/usr/bin/env node
// Benchmarks of the core client (built dist). Numbers are for orientation and regression spotting, not asserted.
//  1. client cost: publish() → bytes → ack, against an in-memory auto-acking peer (no network)
//  2. persistence cost: the same with a persistent session on MemoryStore (group commit) vs none
//  3. end to end: publisher → Aedes (in-process, over ws on loopback) → subscriber
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import { generate, parser } from 'mqtt-packet'
import { Client, MemoryStore } from '../dist/index.js'
import { Aedes } from 'aedes'
import { WebSocket, WebSocketServer, createWebSocketStream } from 'ws'

const N = Number(process.env.BENCH_N ?? 20000)
const results = []

/** An in-memory Transport whose peer auto-acknowledges everything. */
function loopback() {
  return {
    async connect(target, handlers) {
      const v = target.protocolVersion
      const p = parser({ protocolVersion: v })
      const reply = (pkt) => queueMicrotask(() => handlers.onData(new Uint8Array(generate(pkt, { protocolVersion: v }))))
      p.on('packet', (pkt) => {
        if (pkt.cmd === 'connect') reply({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false })
        else if (pkt.cmd === 'publish' && pkt.qos === 1) reply({ cmd: 'puback', messageId: pkt.messageId })
        else if (pkt.cmd === 'publish' && pkt.qos === 2) reply({ cmd: 'pubrec', messageId: pkt.messageId })
        else if (pkt.cmd === 'pubrel') reply({ cmd: 'pubcomp', messageId: pkt.messageId })
      })
      return { send: (b) => p.parse(Buffer.from(b)), close: () => handlers.onClose(), bufferedAmount: 0 }
    },
  }
}

async function clientCost(label, qos, opts = {}) {
  const client = new Client({ clientId: 'bench', transport: loopback(), ...opts })
  client.maxInflightMessagesSet(100)
  await client.connect('loopback')
  const payload = new Uint8Array(64)
  const t0 = performance.now()
  const infos = []
  for (let i = 0; i < N; i++) infos.push(client.publish('bench/topic', payload, qos))
  const tCall = performance.now() - t0
  await Promise.all(infos.map((i) => i.waitForPublish()))
  const t = performance.now() - t0
  await client.disconnect()
  results.push({ bench: label, messages: N, 'publish() µs/call': +(tCall * 1000 / N).toFixed(2), 'msgs/s': Math.round(N / (t / 1000)) })
}

async function endToEnd(qos) {
  const broker = await Aedes.createBroker()
  const http = createServer()
  new WebSocketServer({ server: http }).on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req))
  await new Promise((r) => http.listen(0, '127.0.0.1', r))
  const port = http.address().port
  const transport = {
    connect: (target, handlers) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt'])
      ws.binaryType = 'arraybuffer'
      ws.on('open', () => resolve({ send: (b) => ws.send(b), close: () => ws.close(), get bufferedAmount() { return ws.bufferedAmount } }))
      ws.on('message', (d) => handlers.onData(new Uint8Array(d)))
      ws.on('close', () => handlers.onClose())
      ws.on('error', reject)
    }),
  }
  const sub = new Client({ clientId: 'bench-sub', transport })
  const pub = new Client({ clientId: 'bench-pub', transport })
  pub.maxInflightMessagesSet(100)
  await sub.connect('aedes')
  await pub.connect('aedes')
  await sub.subscribe('bench/e2e', qos)
  const n = Math.min(N, 10000)
  let got = 0
  let done
  const all = new Promise((r) => { done = r })
  sub.onMessage = () => { if (++got === n) done() }
  const t0 = performance.now()
  for (let i = 0; i < n; i++) pub.publish('bench/e2e', `m${i}`, qos)
  await all
  const t = performance.now() - t0
  results.push({ bench: `end to end via Aedes/ws, QoS ${qos}`, messages: n, 'publish() µs/call': '', 'msgs/s': Math.round(n / (t / 1000)) })
  await pub.disconnect()
  await sub.disconnect()
  await new Promise((r) => broker.close(r))
  http.close()
}

await clientCost('client cost, QoS 0', 0)
await clientCost('client cost, QoS 1', 1)
await clientCost('client cost, QoS 2', 2)
await clientCost('client cost, QoS 1, persistent session (MemoryStore, group commit)', 1, { cleanSession: false, store: new MemoryStore() })
for (const q of [0, 1, 2]) await endToEnd(q)
console.table(results)
