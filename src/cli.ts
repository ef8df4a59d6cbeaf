#!/usr/bin/env node
/** The `streambench` bin entry: runs the program (src/cli/program.ts) on this process's arguments and streams. */
import { main } from './cli/program.js';
import { processIo } from './cli/io.js';

process.exitCode = await main(process.argv.slice(2), processIo());
