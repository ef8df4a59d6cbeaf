import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { systemClock } from '../src/clock.js';
import { closeServer, listenOnLoopback } from '../src/net/loopbackServer.js';
import { listenersFor, listenSpread, MAX_LISTENERS } from '../src/net/listenerSpread.js';
import { deliverySettingsSchema } from '../src/pipeline/delivery/settings.js';
import { createSseDelivery } from '../src/pipeline/delivery/sse.js';
import { startSseRelayServer } from '../src/pipeline/delivery/sseServer.js';
import { streamPathFor } from '../src/pipeline/delivery/streamRegistry.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const sseSettings = () => {
  const settings = deliverySettingsSchema.parse({ type: 'sse' });
  if (settings.type !== 'sse') throw new Error('unreachable');
  return settings;
};

describe('listening sockets spread by expected concurrency', () => {
  it('opens one socket up to 10 streams, then one per 10, at most MAX_LISTENERS', () => {
    expect(listenersFor(1)).toBe(1);
    expect(listenersFor(10)).toBe(1);
    expect(listenersFor(11)).toBe(2);
    expect(listenersFor(300)).toBe(30);
    expect(listenersFor(100_000)).toBe(MAX_LISTENERS);
    expect(listenersFor(Number.NaN)).toBe(1);
  });

  it('serves requests on every extra socket with the one http server, and closes them all', async () => {
    const server: Server = createServer((_request, response) => response.end('same handler'));
    const port = await listenOnLoopback(server);
    const spread = await listenSpread(server, 3);
    expect(new Set([port, ...spread.origins.map((origin) => new URL(origin).port)]).size).toBe(4);
    for (const origin of spread.origins) {
      const response = await request(origin);
      expect(await response.body.text()).toBe('same handler');
    }
    await Promise.all([spread.close(), closeServer(server)]);
    await expect(request(spread.origins[0]!)).rejects.toThrow();
  });

  it('the SSE relay hands its clients out over all its sockets, and each serves every stream', async () => {
    const relay = await startSseRelayServer({ ...sseSettings() }, systemClock, 3);
    cleanups.push(() => relay.close());
    const origins = [relay.originFor(), relay.originFor(), relay.originFor(), relay.originFor()];
    expect(new Set(origins.slice(0, 3)).size).toBe(3);
    expect(origins[3]).toBe(origins[0]);
    const stream = relay.openStream('s1');
    stream.append('{"x":1}', 0);
    stream.finish();
    for (const origin of origins.slice(0, 3)) {
      const response = await request(origin + streamPathFor('s1'));
      expect(await response.body.text()).toBe('data: {"x":1}\n\n');
    }
  });

  it('an SSE delivery on 4 sockets delivers every stream whole, whichever socket its client used', async () => {
    const delivery = await createSseDelivery(sseSettings(), systemClock, 4);
    cleanups.push(() => delivery.close());
    const received = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const got: string[] = [];
        const channel = await delivery.open(`s${index}`, (data) => got.push(data));
        channel.send(`a${index}`, 0);
        channel.send(`b${index}`, 1);
        await channel.end();
        return got;
      }),
    );
    expect(received).toEqual(Array.from({ length: 8 }, (_, index) => [`a${index}`, `b${index}`]));
  });
});
