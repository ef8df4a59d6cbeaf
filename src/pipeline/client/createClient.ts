import { createBrowserClient } from './browser/browserClient.js';
import { createFieldClient } from './fieldClient.js';
import { createLeanClient } from './leanClient.js';
import type { ClientDeps, ClientSettings, StreamClient } from './types.js';

/** Default settings of the browser client. */
export const DEFAULT_BROWSER_OPTIONS = { request: 'eventsource', pagesPerContext: 10, contextsPerBrowser: 10, blockMainThread: null } as const;

/** Creates the browser client `settings.type` names, rendering as `settings.render` says. */
export function createClient(settings: ClientSettings, deps: ClientDeps): StreamClient {
  switch (settings.type) {
    case 'field':
      return createFieldClient(settings.render, deps);
    case 'lean':
      return createLeanClient(settings.render, deps);
    case 'browser': {
      const { browser, serializerName } = deps;
      if (!browser || serializerName === undefined) throw new Error("internal: a browser client needs the config's browser pool and serializer name");
      return createBrowserClient(settings.render, settings.browser ?? DEFAULT_BROWSER_OPTIONS, { ...deps, browser, serializerName });
    }
    default: {
      // Settings may come from an unchecked scenario file: fail with the fix, not undefined.
      const unknown: never = settings.type;
      throw new RangeError(`client.type must be "field", "lean" or "browser" (got ${JSON.stringify(unknown)})`);
    }
  }
}
