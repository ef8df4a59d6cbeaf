/**
 * What the light bundle exports (src/tools/writeLightBundle.ts bundles the code this reaches into
 * dist/cli.bundle.cjs): the program and the process's io, for the bin entry (src/streambench.cts).
 */
export { main } from './program.js';
export { processIo } from './io.js';
