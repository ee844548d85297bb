#!/usr/bin/env node
// Standalone embedded broker on a fixed local port, for pages served elsewhere (or the e2e suite):
//   node scripts/broker.mjs [--port 1884] [--host 127.0.0.1] [--path /mqtt]
// Prints `ws://HOST:PORT/PATH` once listening. Ctrl-C stops it.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { attachEmbeddedBroker, brokerUrl } from '../server/embedded-broker.mjs'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '1884' },
    host: { type: 'string', default: '127.0.0.1' },
    path: { type: 'string', default: '/mqtt' },
    verbose: { type: 'boolean', default: false },
  },
})

const http = createServer((_req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain' })
  res.end('MQTT over WebSocket only\n')
})
const embedded = await attachEmbeddedBroker(http, {
  path: values.path,
  log: values.verbose ? (m) => console.error(`[broker] ${m}`) : undefined,
})
if (values.verbose) {
  embedded.broker.on('client', (c) => console.error(`[broker] connected ${c.id}`))
  embedded.broker.on('clientDisconnect', (c) => console.error(`[broker] disconnected ${c.id}`))
}
http.listen(Number(values.port), values.host, () => {
  console.log(brokerUrl(http, values.path))
})
const stop = () => {
  void embedded.close().finally(() => http.close(() => process.exit(0)))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
