import { createFieldClient } from './fieldClient.js';
import { createLeanClient } from './leanClient.js';
import type { ClientDeps, ClientSettings, StreamClient } from './types.js';

/** Creates the browser client `settings.type` names, rendering as `settings.render` says. */
export function createClient(settings: ClientSettings, deps: ClientDeps): StreamClient {
  switch (settings.type) {
    case 'field':
      return createFieldClient(settings.render, deps);
    case 'lean':
      return createLeanClient(settings.render, deps);
    default: {
      // Settings may come from an unchecked scenario file: fail with the fix, not undefined.
      const unknown: never = settings.type;
      throw new RangeError(`client.type must be "field" or "lean" (got ${JSON.stringify(unknown)})`);
    }
  }
}
