import { test } from 'vitest';
import net from 'node:net';
import { createDelivery } from '../src/pipeline/delivery/createDelivery.js';
import { systemClock } from '../src/clock.js';

test('smoke', async () => {
  for (const settings of [{ type: 'sse', ids: true, eventName: null, heartbeatMs: null, compression: false } as const, { type: 'websocket', perMessageDeflate: false } as const]) {
    const d = await createDelivery(settings, { clock: systemClock });
    const got: string[] = [];
    const ch = await d.open('s1', (x) => got.push(x));
    const origin = (d as any);
    ch.send('hello', 0); ch.send('a\nb', 1); ch.send('héllo ✓', 2);
    await ch.end();
    console.log(settings.type, got, ch.counters());
    await d.close();
  }
});
