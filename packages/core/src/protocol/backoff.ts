/**
 * Reconnect delay: starts at `minDelay`, doubles per failed attempt up to `maxDelay` (seconds, as paho's
 * reconnect_delay_set), with ±20 % jitter so a fleet of clients does not reconnect in lock step.
 * Resets on a successful CONNACK.
 */
export class Backoff {
  minDelay: number
  maxDelay: number
  #failures = 0
  readonly #random: () => number

  constructor(minDelay = 1, maxDelay = 120, random: () => number = Math.random) {
    this.minDelay = minDelay
    this.maxDelay = maxDelay
    this.#random = random
  }

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.#failures
  }

  /** Delay in ms before the next attempt; counts one more failed attempt. */
  next(): number {
    const base = Math.min(this.minDelay * 2 ** this.#failures, this.maxDelay)
    this.#failures++
    const jittered = base * (0.8 + 0.4 * this.#random())
    return Math.round(Math.max(this.minDelay, Math.min(this.maxDelay, jittered)) * 1000)
  }

  reset(): void {
    this.#failures = 0
  }
}
