/**
 * Page lifecycle hooks. A client waiting out its reconnect back-off reconnects at once when the network
 * comes back (`online`), when the page becomes visible again (`visibilitychange`) and when it returns from
 * the back/forward cache (`pageshow` with `persisted`). On `pagehide` (and `freeze`) pending session writes
 * are flushed. Outside a browser (Node, SSR) `attachLifecycle` does nothing.
 */

/** What the hooks need from a client. */
export interface LifecycleClient {
  readonly state: string
  reconnect(): unknown
  /** Write pending session changes now, if the client supports it. */
  flush?(): unknown
}

/** The globals used (tests pass fakes). */
export interface LifecycleScope {
  window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
  document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState?: string }
}

export interface LifecycleOptions {
  scope?: LifecycleScope
  /** Reports a hook that threw (e.g. to the client's logger). */
  onError?: (err: unknown) => void
  /** Told why a reconnect was triggered. */
  onReconnect?: (reason: 'online' | 'visible' | 'pageshow') => void
}

/** Attach the hooks; returns a function that detaches them. A no-op without `window`/`document`. */
export function attachLifecycle(client: LifecycleClient, options: LifecycleOptions = {}): () => void {
  const scope = options.scope ?? (globalThis as LifecycleScope)
  const win = scope.window
  const doc = scope.document
  if (typeof win?.addEventListener !== 'function') return () => {}

  const report = (err: unknown): void => {
    try {
      options.onError?.(err)
    } catch {
      // the reporter itself failed: nothing better to do
    }
  }
  const wake = (reason: 'online' | 'visible' | 'pageshow'): void => {
    if (client.state !== 'reconnecting') return
    try {
      options.onReconnect?.(reason)
      const r = client.reconnect()
      if (isThenable(r)) r.then(undefined, report)
    } catch (err) {
      report(err)
    }
  }
  const flush = (): void => {
    try {
      const r = client.flush?.()
      if (isThenable(r)) r.then(undefined, report)
    } catch (err) {
      report(err)
    }
  }

  const onOnline = (): void => wake('online')
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'visible') wake('visible')
  }
  const onPageShow = (event: Event): void => {
    if ((event as { persisted?: boolean }).persisted) wake('pageshow')
  }

  const hooks = [
    [win, 'online', onOnline], [win, 'pageshow', onPageShow], [win, 'pagehide', flush],
    [doc, 'visibilitychange', onVisibility], [doc, 'freeze', flush],
  ] as const
  for (const [target, type, fn] of hooks) target?.addEventListener(type, fn as EventListener)

  let attached = true
  return () => {
    if (!attached) return
    attached = false
    for (const [target, type, fn] of hooks) target?.removeEventListener(type, fn as EventListener)
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}
