// Page-side helpers for the Client specs, on the global `webmqtt` (from the IIFE or the ESM build). Plain JS,
// served as is. Everything returns plain data for page.evaluate.
(() => {
  if (typeof webmqtt === 'undefined') {
    window.ctError = 'the global `webmqtt` is missing: the browser build did not load (see the console)'
    return
  }
  const clients = new Map()
  const describe = (err) => ({ name: String(err?.name ?? typeof err), message: String(err?.message ?? err) })
  window.ct = {
    /** Create a client under `id`, record its messages, log lines and status events. */
    create(id, options = {}) {
      const c = new webmqtt.Client(options)
      const rec = { client: c, messages: [], log: [], status: [] }
      c.onMessage = (_c, _u, m) => rec.messages.push({ topic: m.topic, text: m.text, qos: m.qos, dup: m.dup, retain: m.retain })
      c.onLog = (_c, _u, level, text) => rec.log.push(`${level} ${text}`)
      c.on('status', (ev) => rec.status.push({ type: ev.type, ...(ev.error ? { error: describe(ev.error) } : {}) }))
      clients.set(id, rec)
      return true
    },
    client(id) { return clients.get(id).client },
    async connect(id, host, port, keepalive = 30, options) {
      try {
        const r = await clients.get(id).client.connect(host, port, keepalive, options)
        return { ok: true, sessionPresent: r.sessionPresent, reasonCode: Number(r.reasonCode?.value ?? r.reasonCode) }
      } catch (err) {
        return { ok: false, error: describe(err) }
      }
    },
    async subscribe(id, filter, qos = 0) {
      const codes = await clients.get(id).client.subscribe(filter, qos)
      return codes.map((c) => Number(c.value ?? c))
    },
    /** Publish `count` messages "<prefix><i>" (i from `from`); resolves when all are accepted (not delivered). */
    publishMany(id, topic, prefix, from, count, qos) {
      const c = clients.get(id).client
      const mids = []
      for (let i = from; i < from + count; i++) mids.push(c.publish(topic, `${prefix}${i}`, qos).mid)
      return mids
    },
    async waitPublished(id, timeoutMs = 20000) {
      const c = clients.get(id).client
      await Promise.all(c.pendingMessages().map((m) => m.waitForPublish(timeoutMs)))
      return c.pendingMessages().length
    },
    pending(id) {
      return clients.get(id).client.pendingMessages().map((m) => m.mid)
    },
    async restore(id, host, port) {
      const c = clients.get(id).client
      await c.restoreSession(host, port)
      return c.pendingMessages().map((m) => m.mid)
    },
    /** Records in the IndexedDB object store `store` of database `dbName` (default: the client's 'webmqtt'). */
    storedCount(store = 'outgoing', dbName = 'webmqtt') {
      return new Promise((resolve, reject) => {
        const req = indexedDB.open(dbName)
        req.onerror = () => reject(req.error)
        req.onsuccess = () => {
          const db = req.result
          if (!db.objectStoreNames.contains(store)) { db.close(); resolve(0); return }
          const c = db.transaction(store).objectStore(store).count()
          c.onsuccess = () => { db.close(); resolve(c.result) }
          c.onerror = () => { db.close(); reject(c.error) }
        }
      })
    },
    state(id) { return clients.get(id).client.state },
    messages(id) { return clients.get(id).messages },
    log(id) { return clients.get(id).log },
    status(id) { return clients.get(id).status },
    async disconnect(id) {
      try { await clients.get(id).client.disconnect(); return { ok: true } } catch (err) { return { ok: false, error: describe(err) } }
    },
  }
  window.ctReady = true
})()
