/** What kind of config a result holds, read from its settings: the client it ran, whether it measured the user's app. */
import type { ConfigResult, ResultDocument } from '../result/resultSchema.js';

/** The client type and render strategy a config's settings name (`browser`, `every`/`debounce 50`…). */
export function clientOf(config: ConfigResult): { type: string; render: string } {
  const client = (config.settings as { client?: { type?: string; render?: { strategy?: string; intervalMs?: number } } }).client;
  const strategy = client?.render?.strategy ?? '?';
  const render = strategy === 'every' || client?.render?.intervalMs === undefined ? strategy : `${strategy} ${client.render.intervalMs}`;
  return { type: client?.type ?? '?', render };
}

/** Whether any config of the document ran the browser client. */
export function hasBrowserClient(doc: ResultDocument): boolean {
  return doc.configs.some((config) => clientOf(config).type === 'browser');
}

/** Whether a config measured the user's app (target mode), completed or not. */
export function isTargetConfig(config: ConfigResult): boolean {
  return config.target !== undefined || (config.settings as { target?: unknown }).target !== undefined;
}
