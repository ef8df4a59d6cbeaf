/** `streambench merge SHARD.json... --out FILE`: one result from the shards of a run. */
import { readResultFile, ResultFileError } from '../report/readResult.js';
import { renderLoadTable, renderSummaryTable } from '../report/tables.js';
import { writeFileAtomic } from '../report/writeResult.js';
import { MergeError, mergeShardResults } from '../stats/mergeResults.js';
import { CliError, EXIT } from './exitCodes.js';

/** Runs the command; returns the exit code. */
export async function mergeCommand(paths: string[], options: { out: string; quiet?: boolean }): Promise<number> {
  try {
    const documents = await Promise.all(paths.map((path) => readResultFile(path)));
    const merged = mergeShardResults(documents, paths);
    await writeFileAtomic(options.out, `${JSON.stringify(merged, null, 2)}\n`);
    if (!options.quiet) process.stdout.write(`${[renderSummaryTable(merged), renderLoadTable(merged)].filter((table) => table !== '').join('\n')}\nmerged ${paths.length} shard${paths.length === 1 ? '' : 's'} into ${options.out}\n`);
    return merged.configs.some((config) => config.state === 'errored') ? EXIT.runFailed : EXIT.ok;
  } catch (error) {
    if (error instanceof ResultFileError || error instanceof MergeError) throw new CliError(error.message);
    throw error;
  }
}
