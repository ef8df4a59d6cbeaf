import { describe, expect, it } from 'vitest';
import { timeSlicedQueue } from '../src/load/timeSlicedQueue.js';

describe('timeSlicedQueue', () => {
  it('runs jobs in order and resolves each with what it returned (a throw rejects only its own)', async () => {
    const queue = timeSlicedQueue();
    const ran: number[] = [];
    const results = await Promise.allSettled([1, 2, 3].map((job) => queue.run(() => (job === 2 ? fail() : (ran.push(job), job * 10)))));
    expect(ran).toEqual([1, 3]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 10 });
  });

  it('lets due timers fire between two jobs queued together (with no budget: one job per event-loop turn)', async () => {
    const queue = timeSlicedQueue(0);
    const order: string[] = [];
    // Both timers are due before the jobs start: queued back to back in one turn, the jobs would run first.
    setTimeout(() => order.push('timer'), 0);
    setTimeout(() => order.push('timer'), 0);
    const start = Date.now();
    while (Date.now() - start < 5);
    await Promise.all([queue.run(() => order.push('job')), queue.run(() => order.push('job')), queue.run(() => order.push('job'))]);
    expect(order.indexOf('timer')).toBeLessThan(order.lastIndexOf('job'));
    expect(order.filter((entry) => entry === 'job')).toHaveLength(3);
  });

  it('takes jobs queued while another runs, and runs again after it emptied', async () => {
    const queue = timeSlicedQueue();
    const ran: string[] = [];
    await queue.run(() => {
      ran.push('a');
      void queue.run(() => ran.push('b'));
    });
    await queue.run(() => ran.push('c'));
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('runs as many jobs in one turn as fit in its budget', async () => {
    const queue = timeSlicedQueue(1000);
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    const start = Date.now();
    while (Date.now() - start < 5);
    await Promise.all([queue.run(() => order.push('job')), queue.run(() => order.push('job')), queue.run(() => order.push('job'))]);
    // The timer may come before the first job (which phase the test is in), never between them.
    expect(order.join(',')).toContain('job,job,job');
  });
});

function fail(): never {
  throw new Error('job failed');
}
