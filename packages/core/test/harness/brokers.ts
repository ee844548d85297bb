/**
 * Real-broker harness: start/stop Mosquitto and Aedes on 127.0.0.1 ephemeral ports, and a TCP proxy to cut
 * or stall connections. Plain Node + TypeScript, no test-runner imports: used by the vitest integration suites
 * and by Playwright's global setup.
 */
export { startMosquitto, mosquittoConfig, MOSQUITTO_BIN } from './mosquitto.js'
export type { MosquittoBroker, MosquittoOptions } from './mosquitto.js'
export { startAedes, startAedesProcess } from './aedes.js'
export type { AedesBroker, AedesInstance, AedesOptions, AedesProcess } from './aedes.js'
export { startWsProxy } from './proxy.js'
export type { WsProxy } from './proxy.js'
export { LOOPBACK, freePort, canConnect, waitForPorts } from './ports.js'
