import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/countReporter.ts'],
    // Every temporary folder of the suite under one, deleted at its end.
    globalSetup: ['./test/helpers/temporaryRoot.ts'],
    // Three files at a time on the 2-core CI machine: most tests wait on real streams, sockets,
    // child processes and Chromium rather than compute, so the suite takes about half the wall
    // time of one file at a time (README, Tests: the figures and the command).
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
