import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/countReporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Vitest's default (cores - 1) runs one file at a time on 2 cores, yet most files spend
    // their time waiting on child processes, Chromium, sockets and Redis: two files at once
    // about halve the wall time there. Files that count commands use private redis-servers.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
