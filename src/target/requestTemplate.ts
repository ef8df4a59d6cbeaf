/**
 * Fills the scenario's request template (url, headers, body) for one stream: `{{prompt}}` is
 * the prompt with the stream's marker appended, `{{marker}}` the marker alone, `{{streamId}}`
 * the stream's id. Pure.
 */
import type { AppRequest } from './appStream/types.js';
import type { TargetSettings } from '../scenario/targetSchema.js';

/** The values one stream's request is filled with. */
export interface TemplateValues {
  prompt: string;
  marker: string;
  streamId: string;
}

/** An OpenAI-style chat body, the shape most chat routes accept, when the scenario gives none. */
export const DEFAULT_BODY = { messages: [{ role: 'user', content: '{{prompt}}' }] };

/** Replaces the placeholders in one string (`escape` applies to the values, e.g. for JSON strings). */
export function fillText(text: string, values: TemplateValues, escape: (value: string) => string = (value) => value): string {
  return text.replace(/\{\{(prompt|marker|streamId)\}\}/g, (_whole, name: keyof TemplateValues) => escape(values[name]));
}

function fillDeep(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') return fillText(value, values);
  if (Array.isArray(value)) return value.map((item) => fillDeep(item, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillDeep(item, values)]));
  return value;
}

/** The fully resolved request of one stream (`url` already has {appPort} filled in). */
export function buildAppRequest(target: TargetSettings, url: string, values: TemplateValues): AppRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = fillText(value, values);
  let body: string | undefined;
  if (target.method === 'POST' || target.format === 'websocket') {
    const template = target.body ?? DEFAULT_BODY;
    body = typeof template === 'string' ? fillText(template, values) : JSON.stringify(fillDeep(template, values));
    if (target.method === 'POST' && headers['content-type'] === undefined && typeof template !== 'string') headers['content-type'] = 'application/json';
  }
  return {
    url: fillText(url, values, encodeURIComponent),
    method: target.method,
    headers,
    ...(body !== undefined && { body }),
    format: target.format,
    ...(target.textPath !== undefined && { textPath: target.textPath }),
    ...(target.donePath !== undefined && { donePath: target.donePath }),
    resume: target.resume,
    timeouts: { connectMs: target.timeouts.connectMs, firstByteMs: target.timeouts.firstByteMs, idleMs: target.timeouts.idleMs },
  };
}
