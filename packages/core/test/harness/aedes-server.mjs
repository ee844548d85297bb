// Aedes 1.2.0 in a child process: `node aedes-server.mjs <wsPort> <tcpPort>`. Started by startAedesProcess()
// in aedes.ts so a test can SIGKILL and restart the broker. Listens on 127.0.0.1 only; exits on SIGTERM.
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

const wsPort = Number(process.argv[2])
const tcpPort = Number(process.argv[3])
if (!(wsPort > 0 && tcpPort > 0)) {
  console.error('usage: aedes-server.mjs <wsPort> <tcpPort>')
  process.exit(2)
}

const broker = await Aedes.createBroker()
const http = createHttpServer()
new WebSocketServer({ server: http }).on('connection', (ws, req) => {
  const stream = createWebSocketStream(ws)
  stream.on('error', () => {})
  broker.handle(stream, req)
})
const tcp = createTcpServer((sock) => {
  sock.on('error', () => {})
  broker.handle(sock)
})
http.listen(wsPort, '127.0.0.1')
tcp.listen(tcpPort, '127.0.0.1')
http.on('error', (e) => { console.error(e); process.exit(1) })
tcp.on('error', (e) => { console.error(e); process.exit(1) })
// Exit if the parent goes away (stdout pipe closes) or asks us to stop.
process.on('SIGTERM', () => broker.close(() => process.exit(0)))
setInterval(() => { if (process.ppid === 1) process.exit(0) }, 1000).unref()
console.error(`aedes listening ws=${wsPort} tcp=${tcpPort}`)
