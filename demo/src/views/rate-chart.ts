/** Live messages-per-second chart, hand-drawn on a <canvas>: two lines (in, out) over the last 60 seconds. */
import type { RateCounter } from '../rate.js'

/** A "nice" axis maximum ≥ v: 1, 2, 5 × 10^n (at least 5). */
export function niceMax(v: number): number {
  if (!(v > 5)) return 5
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

/** Gridline count that gives round tick values for a niceMax() maximum: 5 for 1·10ⁿ and 5·10ⁿ, 4 for 2·10ⁿ. */
export function tickCount(max: number): number {
  const lead = max / 10 ** Math.floor(Math.log10(max))
  return Math.round(lead) === 2 ? 4 : 5
}

export class RateChart {
  readonly #canvas: HTMLCanvasElement
  readonly #in: RateCounter
  readonly #out: RateCounter
  readonly #labels: { in: HTMLElement; out: HTMLElement }
  #timer = 0

  constructor(canvas: HTMLCanvasElement, counters: { in: RateCounter; out: RateCounter }, labels: { in: HTMLElement; out: HTMLElement }) {
    this.#canvas = canvas
    this.#in = counters.in
    this.#out = counters.out
    this.#labels = labels
    new ResizeObserver(() => this.draw()).observe(canvas)
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw())
  }

  /** Redraw each second, aligned to the second boundary so every tick shows one newly completed second. */
  start(): void {
    const tick = (): void => {
      this.draw()
      this.#timer = window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5)
    }
    tick()
  }

  stop(): void {
    window.clearTimeout(this.#timer)
  }

  draw(now = Date.now()): void {
    const seriesIn = this.#in.series(now)
    const seriesOut = this.#out.series(now)
    const rateIn = seriesIn[seriesIn.length - 1] ?? 0
    const rateOut = seriesOut[seriesOut.length - 1] ?? 0
    this.#labels.in.textContent = String(rateIn)
    this.#labels.out.textContent = String(rateOut)
    this.#canvas.setAttribute('aria-label', `Messages per second over the last ${seriesIn.length} seconds: ${rateIn} in, ${rateOut} out in the last second.`)

    const dpr = window.devicePixelRatio || 1
    const cssW = this.#canvas.clientWidth
    const cssH = this.#canvas.clientHeight
    if (cssW === 0 || cssH === 0) return
    const w = Math.round(cssW * dpr)
    const hgt = Math.round(cssH * dpr)
    if (this.#canvas.width !== w) this.#canvas.width = w
    if (this.#canvas.height !== hgt) this.#canvas.height = hgt
    const ctx = this.#canvas.getContext('2d')
    if (!ctx) return
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, cssW, cssH)

    const css = getComputedStyle(this.#canvas)
    const color = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback
    const grid = color('--border', '#ccc')
    const muted = color('--muted', '#666')
    const font = `11px ${css.fontFamily || 'sans-serif'}`

    const left = 40
    const right = 8
    const top = 8
    const bottom = 20
    const plotW = Math.max(1, cssW - left - right)
    const plotH = Math.max(1, cssH - top - bottom)
    const max = niceMax(Math.max(...seriesIn, ...seriesOut))
    const n = seriesIn.length
    const x = (i: number): number => left + (plotW * i) / Math.max(1, n - 1)
    const y = (v: number): number => top + plotH - (plotH * v) / max

    ctx.font = font
    ctx.lineWidth = 1
    ctx.strokeStyle = grid
    ctx.fillStyle = muted
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    const steps = tickCount(max)
    for (let k = 0; k <= steps; k++) {
      const v = (max * k) / steps
      const yy = Math.round(y(v)) + 0.5
      ctx.beginPath()
      ctx.moveTo(left, yy)
      ctx.lineTo(left + plotW, yy)
      ctx.stroke()
      ctx.fillText(Number.isInteger(v) ? String(v) : v.toFixed(1), left - 6, yy)
    }
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    for (const [i, label] of [[0, `-${n}s`], [Math.floor((n - 1) / 2), `-${Math.ceil(n / 2)}s`], [n - 1, 'now']] as const) {
      ctx.fillText(label, Math.min(Math.max(x(i), left + 12), left + plotW - 12), top + plotH + 5)
    }

    const line = (series: number[], stroke: string, dash: number[]): void => {
      ctx.setLineDash(dash)
      ctx.beginPath()
      series.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))))
      ctx.strokeStyle = stroke
      ctx.lineWidth = 2
      ctx.lineJoin = 'round'
      ctx.stroke()
      ctx.setLineDash([])
      ctx.lineTo(x(n - 1), y(0))
      ctx.lineTo(x(0), y(0))
      ctx.closePath()
      ctx.globalAlpha = 0.12
      ctx.fillStyle = stroke
      ctx.fill()
      ctx.globalAlpha = 1
    }
    // "out" dashed on top, so equal rates (a client subscribed to its own topic) still show both lines.
    line(seriesIn, color('--in', '#2563eb'), [])
    line(seriesOut, color('--out', '#d9480f'), [6, 4])
  }
}
