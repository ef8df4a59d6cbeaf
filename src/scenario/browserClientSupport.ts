/**
 * What target mode's browser client (target.client: browser) can read, and the refusals for
 * what it cannot, naming the field and what is supported. Pure; no browser code here, so the
 * scenario schema can use it without loading playwright.
 */

/** The app formats a page in Chromium reads (SSE with fetch or EventSource, and WebSocket). */
export const BROWSER_APP_FORMATS = ['openai-sse', 'anthropic-sse', 'ai-sdk-ui', 'sse', 'websocket'] as const;

/** The render settings when a browser target names none: render on every event, as a chat UI that re-renders per update. */
export const DEFAULT_BROWSER_RENDER = { strategy: 'every', intervalMs: 16.7 } as const;

/** The fields of a target block the browser client depends on. */
interface ClientFields {
  client?: 'node' | 'browser';
  render?: unknown;
  format: string;
  resume?: { mode: string };
  method?: string;
}

/** Why a target block cannot run with its client, one entry per field (empty: it can). */
export function browserClientProblems(target: ClientFields): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  if (target.client !== 'browser') {
    if (target.render !== undefined)
      problems.push({ path: ['render'], message: 'render applies to client: browser only (the node client does not render): remove it, or set client: browser' });
    return problems;
  }
  if (!(BROWSER_APP_FORMATS as readonly string[]).includes(target.format)) {
    problems.push({
      path: ['format'],
      message: `client browser reads the formats ${BROWSER_APP_FORMATS.join(', ')}; "${target.format}" is read by client: node only (a page's stream readers speak SSE and WebSocket)`,
    });
  }
  if (target.resume && target.resume.mode !== 'none') {
    problems.push({ path: ['resume'], message: 'client browser does not drop and resume a stream on command: remove resume, or use client: node' });
  }
  return problems;
}
