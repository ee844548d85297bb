/**
 * Vite plugin: adds a strict Content-Security-Policy <meta> to the built pages (not in dev, where Vite
 * injects CSS as <style> elements for HMR). The app has no inline scripts, styles or handlers, so the
 * policy needs no 'unsafe-inline'. Workers from blob: are allowed for the browser package's timer worker.
 */
import type { Plugin } from 'vite'

export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

export function cspPlugin(policy = DEMO_CSP): Plugin {
  return {
    name: 'webmqtt-csp',
    apply: 'build',
    transformIndexHtml() {
      return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }]
    },
  }
}
