/**
 * streambench's own version, from package.json. Its own module so that `--help`, `compare` and
 * `report` read it without loading what run/context.ts needs (child_process for the git commit).
 */
import { createRequire } from 'node:module';

const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

/** streambench's own version, from package.json. */
export const TOOL_VERSION = packageJson.version;
