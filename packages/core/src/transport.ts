/**
 * The byte-level transport contract. The core never touches a socket: each client is given a Transport,
 * and the Transport opens one connection per attempt. Frames may split or merge MQTT packets freely.
 */
import type { ProtocolVersion } from './protocol-version.js'

/** What the client asks the transport to connect to, once per attempt. */
export interface ConnectTarget {
  /** Host name, or a full URL (`ws://…`, `wss://…`) that the transport understands. */
  readonly host: string
  /** Port, when `host` is not a URL. */
  readonly port: number | undefined
  /** MQTT protocol version of the session (some transports pick a subprotocol from it). */
  readonly protocolVersion: ProtocolVersion
  /** 1 for the first attempt of a `connect()`, then 2, 3 … for automatic reconnects. */
  readonly attempt: number
  /** Aborted when the client gives up on this attempt (timeout, disconnect()). */
  readonly signal: AbortSignal
}

/** Callbacks the transport calls for an open connection. */
export interface TransportHandlers {
  /** Bytes received. The buffer may be reused by the caller only after this returns. */
  onData(bytes: Uint8Array): void
  /** The connection ended. Called exactly once per opened connection; `error` is absent on a clean close. */
  onClose(error?: Error): void
}

/** One open connection. */
export interface TransportConnection {
  /** Queue bytes for sending. Throws if the connection is already closed. */
  send(bytes: Uint8Array): void
  /** Close the connection. Idempotent. `onClose` follows. */
  close(): void
  /** Bytes accepted by `send` and not yet written to the network (0 when unknown). Used for back-pressure. */
  readonly bufferedAmount: number
  /** A human-readable description of the remote end, e.g. the URL actually used. */
  readonly remote?: string
}

export interface Transport {
  /**
   * Open a connection. Resolves once bytes can be sent; rejects with an Error (preferably a
   * `ConnectionError`) when the connection cannot be opened. After it resolves, `onClose` is called exactly once.
   */
  connect(target: ConnectTarget, handlers: TransportHandlers): Promise<TransportConnection>
  /** Optional: a stable identifier of the broker endpoint, used in the session-store key. */
  endpointKey?(host: string, port: number | undefined): string
}
