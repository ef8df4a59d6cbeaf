/** The tables `run` and `report` print for one result, in reading order. */
import { renderTargetTable } from './targetTable.js';
import { hasBrowserClient } from './configKinds.js';
import { renderRenderTable } from './renderTable.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { renderHarnessLimits, renderLoadTable, renderScenarioCountersTable, renderStageTable, renderSummaryTable, type TableLayout } from './tables.js';

/**
 * The tool's own limits first (in words, before any figure), then summary, the scenario's
 * counters, stages, the browser's render table, load (warnings apart) and the target table.
 */
export function renderRunTables(doc: ResultDocument, layout?: TableLayout): string[] {
  return [
    renderHarnessLimits(doc, layout),
    renderSummaryTable(doc, layout),
    renderScenarioCountersTable(doc, layout),
    renderStageTable(doc, layout),
    hasBrowserClient(doc) ? renderRenderTable(doc, layout) : '',
    renderLoadTable(doc, { ...layout, warnings: false, harnessLimitsFirst: false }),
    renderTargetTable(doc, layout),
  ].filter((table) => table !== '');
}
