/** `streambench merge SHARD.json... --out FILE`: one result from the shards of a run. */
import { readResultFile, ResultFileError } from '../result/readResult.js';
import { renderHarnessLimits, renderLoadTable, renderSummaryTable } from '../report/tables.js';
import { writeFileAtomic } from '../result/writeResult.js';
import { MergeError, mergeShardResults } from '../stats/mergeResults.js';
import { refusePartial } from './compareCommand.js';
import { CliError, EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';
import { checkOutputFile } from './outputPaths.js';

/** Runs the command; returns the exit code. */
export async function mergeCommand(paths: string[], options: { out: string; quiet?: boolean; allowPartial?: boolean }, io: CliIo): Promise<number> {
  await checkOutputFile(options.out, '--out');
  try {
    const documents = await Promise.all(paths.map((path) => readResultFile(path)));
    if (!options.allowPartial) documents.forEach((document, index) => refusePartial(document, paths[index]!));
    const merged = mergeShardResults(documents, paths, { allowMissing: options.allowPartial === true });
    await writeFileAtomic(options.out, `${JSON.stringify(merged, null, 2)}\n`);
    if (!options.quiet)
      io.stdout.write(
        `${[renderHarnessLimits(merged), renderSummaryTable(merged), renderLoadTable(merged, { harnessLimitsFirst: false })].filter((table) => table !== '').join('\n')}\nmerged ${paths.length} shard${paths.length === 1 ? '' : 's'} into ${options.out}\n`,
      );
    return merged.configs.some((config) => config.state === 'errored') ? EXIT.runFailed : EXIT.ok;
  } catch (error) {
    if (error instanceof ResultFileError || error instanceof MergeError) throw new CliError(error.message);
    throw error;
  }
}
