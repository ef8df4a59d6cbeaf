/**
 * commander, loaded with require. Imported from an ES module, its CommonJS entry is first lexed
 * for its named exports and wrapped in a module, 2–4 ms of every start (npm run bench:startup);
 * require gives the same classes (test/fuzz.test.ts imports them as a module).
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';

const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type InvalidArgumentError = Commander.InvalidArgumentError;
export type Option = Commander.Option;
