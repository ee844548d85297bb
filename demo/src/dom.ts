/** Tiny DOM helpers: typed lookups and an element builder that only ever sets text (never HTML). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} missing from the page`)
  return el as T
}

type Child = Node | string | number | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (k === 'class') el.className = String(v)
    else if (k === 'text') el.textContent = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c)
  }
  return el
}

export function showError(el: HTMLElement, message: string | undefined): void {
  el.textContent = message ?? ''
  el.hidden = !message
}

/** A readable one-line description of any thrown value, including a reason code when the error has one. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const rc = (err as { reasonCode?: { name?: string; value?: number } }).reasonCode
    const withRc = rc && typeof rc.value === 'number' && !err.message.includes(String(rc.name))
      ? ` (reason ${rc.value}: ${rc.name})`
      : ''
    const name = err.name && err.name !== 'Error' ? `${err.name}: ` : ''
    return `${name}${err.message}${withRc}`
  }
  return String(err)
}
