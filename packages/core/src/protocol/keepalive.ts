/**
 * Keepalive: sends PINGREQ when nothing was sent, or nothing was received, for `keepalive` seconds (so a client
 * that only publishes QoS 0 to a silent broker still hears from it), and declares the connection dead when nothing
 * was received for 1.5 × keepalive. Depends only on Timers, so it is unit-tested with fake timers.
 */
import type { TimerHandle, Timers } from '../timers.js'

export interface KeepaliveHooks {
  ping(): void
  dead(): void
}

export class Keepalive {
  readonly #timers: Timers
  readonly #hooks: KeepaliveHooks
  readonly #intervalMs: number
  #lastIn: number
  #lastOut: number
  #timer: TimerHandle | undefined
  #stopped = false
  #pingOutstanding = false

  constructor(timers: Timers, keepaliveSeconds: number, hooks: KeepaliveHooks) {
    this.#timers = timers
    this.#hooks = hooks
    this.#intervalMs = keepaliveSeconds * 1000
    this.#lastIn = this.#lastOut = timers.now()
    if (this.#intervalMs > 0) this.#schedule()
  }

  get intervalMs(): number {
    return this.#intervalMs
  }

  received(): void {
    this.#lastIn = this.#timers.now()
    this.#pingOutstanding = false
  }

  sent(): void {
    this.#lastOut = this.#timers.now()
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #schedule(): void {
    if (this.#stopped) return
    const now = this.#timers.now()
    const pingAt = (this.#pingOutstanding ? this.#lastOut : Math.min(this.#lastOut, this.#lastIn)) + this.#intervalMs
    const deadAt = this.#lastIn + this.#intervalMs * 1.5
    const wait = Math.max(0, Math.min(pingAt, deadAt) - now)
    this.#timer = this.#timers.setTimeout(() => this.#check(), wait)
  }

  #check(): void {
    this.#timer = undefined
    if (this.#stopped) return
    const now = this.#timers.now()
    if (now - this.#lastIn >= this.#intervalMs * 1.5) {
      this.stop()
      this.#hooks.dead()
      return
    }
    if (now - this.#lastOut >= this.#intervalMs || (!this.#pingOutstanding && now - this.#lastIn >= this.#intervalMs)) {
      this.#lastOut = now
      this.#pingOutstanding = true
      this.#hooks.ping()
    }
    this.#schedule()
  }
}
