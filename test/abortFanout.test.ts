/** The http source's abort fan-out: one listener per signal, every registered stream told once. */
import { describe, expect, it } from 'vitest';
import { AbortFanout } from '../src/sources/http/abortFanout.js';

describe('AbortFanout', () => {
  it('tells every stream still registered, once, with the reason; not the ones that left', () => {
    const fanout = new AbortFanout();
    const controller = new AbortController();
    const heard: string[] = [];
    fanout.register(controller.signal, (reason) => heard.push(`a:${String(reason)}`));
    const leaveB = fanout.register(controller.signal, (reason) => heard.push(`b:${String(reason)}`));
    fanout.register(controller.signal, (reason) => heard.push(`c:${String(reason)}`));
    leaveB();
    controller.abort('stop');
    controller.abort('again');
    expect(heard).toEqual(['a:stop', 'c:stop']);
  });

  it('after the last stream left, a later abort reaches only streams registered since', () => {
    const fanout = new AbortFanout();
    const controller = new AbortController();
    const heard: string[] = [];
    fanout.register(controller.signal, () => heard.push('early'))();
    fanout.register(controller.signal, () => heard.push('late'));
    controller.abort();
    expect(heard).toEqual(['late']);
  });
});
