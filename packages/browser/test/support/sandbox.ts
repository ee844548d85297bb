/**
 * A browser-like global scope in a Node `vm` context: the web APIs the library may use, and none of Node's
 * (no process, Buffer, require, module, global). Running a bundle here proves it needs no polyfills.
 * `FakeWebSocket` inside is a tiny scripted broker: CONNACK, SUBACK, PUBACK, and it echoes PUBLISH.
 */
import { createContext, runInContext } from 'node:vm'
import type { Context } from 'node:vm'

// Node's TextEncoder/TextDecoder come from the outer realm; wrap them so every Uint8Array the library sees is
// the sandbox's own (as in a browser, where there is one realm).
const REALM_WRAPPERS = `
const __enc = globalThis.__TextEncoder, __Dec = globalThis.__TextDecoder;
delete globalThis.__TextEncoder; delete globalThis.__TextDecoder;
globalThis.TextEncoder = class TextEncoder {
  get encoding() { return 'utf-8' }
  encode(s) { const o = new __enc().encode(s); const r = new Uint8Array(o.length); r.set(o); return r }
  encodeInto(s, dest) { return new __enc().encodeInto(s, dest) }
};
globalThis.TextDecoder = class TextDecoder {
  constructor(label, options) { this.d = new __Dec(label, options) }
  decode(bytes) { return this.d.decode(bytes) }
};
`

const FAKE_BROKER = `
class FakeWebSocket {
  constructor(url, protocols) {
    this.url = url; this.protocols = protocols; this.readyState = 0; this.binaryType = 'blob';
    this.bufferedAmount = 0; this.protocol = ''; this.listeners = {};
    FakeWebSocket.last = this;
    setTimeout(() => { this.readyState = 1; this.protocol = protocols[0]; this.emit('open', {}) }, 0);
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn) }
  emit(type, ev) { for (const fn of this.listeners[type] || []) fn(ev) }
  reply(bytes) { const b = new Uint8Array(bytes); setTimeout(() => this.emit('message', { data: b.buffer }), 0) }
  send(data) {
    const p = new Uint8Array(data);
    let len = 0, mul = 1, i = 1;
    for (;;) { const d = p[i++]; len += (d & 127) * mul; mul *= 128; if (!(d & 128)) break }
    const type = p[0] >> 4;
    if (type === 1) this.reply([0x20, 2, 0, 0]);
    else if (type === 8) this.reply([0x90, 3, p[i], p[i + 1], 1]);
    else if (type === 3) {
      const qos = (p[0] >> 1) & 3;
      const topicLen = (p[i] << 8) | p[i + 1];
      if (qos > 0) this.reply([0x40, 2, p[i + 2 + topicLen], p[i + 3 + topicLen]]);
      this.reply(p);
    }
  }
  close() { this.readyState = 3; setTimeout(() => this.emit('close', { code: 1000, reason: '' }), 0) }
}
globalThis.WebSocket = FakeWebSocket;
`

/** The smoke run, as source evaluated in the sandbox: connect, subscribe, publish QoS 1, receive it back. */
export const SMOKE = `
async function smoke(lib) {
  const c = new lib.Client({ clientId: 'sandbox', sessionLock: false });
  await c.connect('sandbox.example', 9001, 30);
  const granted = await c.subscribe('s/#', 1);
  const got = new Promise((resolve) => { c.onMessage = (_c, _u, m) => resolve(m) });
  const info = c.publish('s/1', 'h\\u00e9llo \\ud83d\\ude00', 1);
  await info.waitForPublish(5000);
  const m = await got;
  await c.disconnect();
  return JSON.stringify({
    url: FakeWebSocket.last.url, protocols: FakeWebSocket.last.protocols, binaryType: FakeWebSocket.last.binaryType,
    granted: granted.map((r) => r.value), topic: m.topic, text: new TextDecoder().decode(m.payload), qos: m.qos,
    state: c.state,
  });
}
`

export function browserLikeContext(): Context {
  const g = globalThis as Record<string, unknown>
  const names = [
    'console', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'queueMicrotask', 'performance', 'AbortController', 'AbortSignal', 'EventTarget', 'Event',
    'DOMException', 'crypto', 'atob', 'btoa',
  ]
  const sandbox: Record<string, unknown> = {}
  for (const n of names) if (g[n] !== undefined) sandbox[n] = g[n]
  sandbox.__TextEncoder = TextEncoder
  sandbox.__TextDecoder = TextDecoder
  const ctx = createContext(sandbox)
  runInContext(REALM_WRAPPERS + FAKE_BROKER + SMOKE, ctx)
  for (const forbidden of ['process', 'Buffer', 'require', 'module', 'global', 'exports']) {
    if (runInContext(`typeof ${forbidden}`, ctx) !== 'undefined') throw new Error(`sandbox leaks ${forbidden}`)
  }
  return ctx
}

export interface SmokeResult {
  url: string; protocols: string[]; binaryType: string; granted: number[]; topic: string; text: string; qos: number; state: string
}

/** Run the smoke against the library object found at `expression` in the context. */
export async function runSmoke(ctx: Context, expression: string): Promise<SmokeResult> {
  const json = await (runInContext(`smoke(${expression})`, ctx) as Promise<string>)
  return JSON.parse(json) as SmokeResult
}
