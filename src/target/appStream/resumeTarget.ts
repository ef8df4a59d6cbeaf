/** Where a resume reconnects to: the same request with `Last-Event-ID`, or a URL template filled in. */
import type { EventLedger } from './eventLedger.js';
import { AppStreamError, type AppRequest } from './types.js';

/** One HTTP request of a read. */
export interface HttpTarget {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** The request that resumes `request` after what `ledger` received. */
export function resumeTarget(request: AppRequest, ledger: EventLedger): HttpTarget {
  const { resume } = request;
  if (resume.mode === 'none') throw new Error('resumeTarget: the request has no resume');
  // A GET to a resume URL carries no body: drop the headers that describe one.
  const getHeaders = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['content-type', 'content-length'].includes(name.toLowerCase())));
  if (resume.mode === 'last-event-id') {
    if (ledger.lastEventId === undefined) {
      throw new AppStreamError(
        `resume.mode last-event-id: the app sent no \`id:\` field in the first ${ledger.contentEvents} content events, so there is nothing to resume from; use resume.mode url or none`,
        'format',
      );
    }
    const withId = (headers: Record<string, string>) => ({ ...headers, 'last-event-id': ledger.lastEventId! });
    if (resume.urlTemplate === undefined) return { ...request, headers: withId(request.headers) };
    return { url: fillTemplate(resume.urlTemplate, request, ledger), method: 'GET', headers: withId(getHeaders) };
  }
  return { url: fillTemplate(resume.urlTemplate, request, ledger), method: 'GET', headers: getHeaders };
}

/** `{streamId}` and `{offset}` (characters received) filled in, resolved against the request's URL. */
function fillTemplate(template: string, request: AppRequest, ledger: EventLedger): string {
  let filled = template.replaceAll('{offset}', String(ledger.textChars));
  if (filled.includes('{streamId}')) {
    if (ledger.streamId === undefined) {
      const from = request.resume.mode === 'none' ? undefined : request.resume.streamIdFrom;
      const where = from === undefined ? 'resume.streamIdFrom is not set' : 'header' in from ? `no response header ${from.header}` : `no event had ${from.jsonPath}`;
      throw new AppStreamError(`resume.urlTemplate needs {streamId}, but the app's answer gave none (${where})`, 'format');
    }
    filled = filled.replaceAll('{streamId}', encodeURIComponent(ledger.streamId));
  }
  return new URL(filled, request.url).toString();
}
