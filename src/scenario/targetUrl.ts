/**
 * Checks a target's URL before anything starts: a URL in full, with the scheme its format reads
 * (ws:// or wss:// for websocket, http:// or https:// for the others), and `{appPort}` only where
 * streambench starts the app. Caught at run time, these were a started run, an errored config and
 * a result file, where the fix is a word in the scenario.
 */

/** The target fields the URL check reads. */
interface UrlFields {
  url: string;
  format: string;
  app?: unknown;
}

/** Values standing in for the templates a URL may hold, so that the rest of it can be parsed. */
const TEMPLATE_STAND_INS: [string, string][] = [
  ['{appPort}', '1'],
  ['{upstreamUrl}', 'http://127.0.0.1:1'],
  ['{redisUrl}', 'redis://127.0.0.1:1'],
];

/** Why a target's URL cannot work, one entry per problem (empty: it can). */
export function targetUrlProblems(target: UrlFields): { path: string[]; message: string }[] {
  if (target.url.includes('{appPort}') && target.app === undefined) {
    return [
      {
        path: ['url'],
        message: `{appPort} is the port of an app streambench starts: give app.command (--app-command), or write your app's port in the URL (e.g. http://127.0.0.1:3000/api/chat)`,
      },
    ];
  }
  let filled = target.url;
  for (const [template, standIn] of TEMPLATE_STAND_INS) filled = filled.replaceAll(template, standIn);
  let protocol: string | null = null;
  try {
    protocol = new URL(filled).protocol;
  } catch {
    // not a URL: said below
  }
  // "localhost:3000/api/chat" parses, with "localhost:" for its scheme: no scheme of ours is not a whole URL either.
  // A scheme written out in full ("ftp://…") is one streambench does not read, not a partial URL.
  if (protocol !== null && !['http:', 'https:', 'ws:', 'wss:'].includes(protocol) && /^[a-z][a-z0-9+.-]*:\/\//i.test(target.url)) {
    return [{ path: ['url'], message: `"${target.url}" uses ${protocol}//, which streambench does not read: use http:// or https:// (ws:// or wss:// with format websocket)` }];
  }
  if (protocol === null || !['http:', 'https:', 'ws:', 'wss:'].includes(protocol)) {
    return [{ path: ['url'], message: `"${target.url}" is not a whole URL: write the scheme and host too, e.g. http://127.0.0.1:3000/api/chat` }];
  }
  const websocket = target.format === 'websocket';
  const schemes = websocket ? ['ws:', 'wss:'] : ['http:', 'https:'];
  if (schemes.includes(protocol)) return [];
  return [
    {
      path: ['url'],
      message: websocket
        ? `format websocket reads a ws:// or wss:// URL, not ${protocol}//: change the URL's scheme, or the format`
        : `format ${target.format} reads an http:// or https:// URL, not ${protocol}//: change the URL's scheme, or use format websocket for a ws:// endpoint`,
    },
  ];
}
