/**
 * The few globals the core uses, which every runtime it targets (browsers, Web Workers, Node ≥ 18, Deno, Bun) has.
 * Declared here instead of pulling in the DOM or Node type libraries, so the build cannot use anything else.
 * Not emitted into dist: consumers get these types from their own DOM or Node libs.
 */
declare function setTimeout(fn: () => void, ms?: number): unknown
declare function clearTimeout(handle: unknown): void
declare function queueMicrotask(fn: () => void): void
declare function structuredClone<T>(value: T): T
declare const performance: { now(): number }
declare const crypto: { getRandomValues<T extends ArrayBufferView>(array: T): T } | undefined
declare const console: { debug(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void; log(...a: unknown[]): void }
declare class TextEncoder { encode(input?: string): Uint8Array }
declare class TextDecoder { constructor(label?: string, options?: { fatal?: boolean }); decode(input?: ArrayBufferView | ArrayBuffer): string }
interface AbortSignal { readonly aborted: boolean; readonly reason: unknown; addEventListener(type: 'abort', fn: () => void, opts?: { once?: boolean }): void; removeEventListener(type: 'abort', fn: () => void): void }
declare class AbortController { readonly signal: AbortSignal; abort(reason?: unknown): void }
