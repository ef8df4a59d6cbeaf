/**
 * `streambench report --html`: one self-contained HTML file (no script, no network, inline CSS
 * and SVG) with the summary table, the per-stage latency breakdown, the token-latency CDF and a
 * timeline of one stream per config. Pure: a result document in, an HTML string out.
 */
import { escapeXml } from './charts/svg.js';
import { stageBreakdownSvg } from './charts/stageBreakdown.js';
import { streamTimelineSvg } from './charts/streamTimeline.js';
import { tokenLatencyCdfSvg } from './charts/tokenLatencyCdf.js';
import type { ResultDocument } from '../result/resultSchema.js';
import { hasMetrics, partialNotes, SUMMARY_HEAD, summaryCells } from './tables.js';
import { harnessStatements } from '../load/harnessWarnings.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:920px;color:#1b1b1b;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}h3{font-size:14px;margin:14px 0 2px}
p.meta,p.note{color:#555;margin:2px 0}table{border-collapse:collapse;font-size:12px;margin:8px 0;width:100%}
th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right;white-space:nowrap}th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
td.message{text-align:left;white-space:normal;color:#a00}svg{max-width:100%;height:auto;display:block}
svg .grid{stroke:#e4e4e4;stroke-width:1}svg .tick{font-size:10px;fill:#666}svg .axis{font-size:11px;fill:#444}
p.limit{color:#a00;font-weight:600;margin:6px 0}svg .label,svg .legend,svg .value{font-size:11px;fill:#222}div.scroll{overflow-x:auto}`;

/** The full HTML page for `doc`. */
export function renderHtmlReport(doc: ResultDocument): string {
  const title = `streambench: ${doc.scenario.name}`;
  const description = typeof doc.scenario.settings.description === 'string' ? doc.scenario.settings.description.trim() : '';
  const sections: string[] = [];
  // The tool's own limits first, in words, before any figure; its share beside the summary.
  const harness = harnessStatements(doc.configs, doc.context?.cores);
  const limits = harness.limits.map((limit) => `<p class="limit">${escapeXml(limit)}</p>`).join('\n');

  const head = SUMMARY_HEAD.map((cell) => `<th>${escapeXml(cell.replace(/\n/g, ' '))}</th>`).join('');
  const rows = doc.configs
    .map((config) =>
      hasMetrics(config)
        ? `<tr><td>${escapeXml(config.name)}</td><td>${config.state}</td>${summaryCells(config)
            .map((cell) => `<td>${escapeXml(cell)}</td>`)
            .join('')}</tr>`
        : `<tr><td>${escapeXml(config.name)}</td><td>${config.state}</td><td class="message" colspan="${SUMMARY_HEAD.length - 2}">${escapeXml(config.message ?? '')}</td></tr>`,
    )
    .join('');
  const shares = [...partialNotes(doc), ...harness.shares].map((note) => `<p class="note">${escapeXml(note)}</p>`).join('');
  sections.push(`<h2>Summary</h2><div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${shares}`);

  const stages = stageBreakdownSvg(doc.configs);
  sections.push(
    `<h2>Where the time goes</h2><p class="note">Mean time a token spends in each stage, from the source's emit to the render; hover a segment for p50 and p99.</p>${
      stages ? `<figure>${stages}</figure>` : '<p class="note">No stage latencies in this result.</p>'
    }`,
  );

  const cdf = tokenLatencyCdfSvg(doc.configs);
  sections.push(
    `<h2>Token latency distribution</h2><p class="note">Share of tokens that reached the client within a latency (all measured streams pooled; p0…p100).</p>${
      cdf ? `<figure>${cdf}</figure>` : '<p class="note">This result has no token-latency percentile list (written by an older streambench); re-run the scenario.</p>'
    }`,
  );

  const timelines = doc.configs.filter((config) => config.timeline);
  const maxMs = Math.max(1, ...timelines.flatMap((config) => [...config.timeline!.emitsMs, ...config.timeline!.receivesMs, ...config.timeline!.rendersMs]));
  sections.push(
    `<h2>One stream, event by event</h2><p class="note">The first measured stream of each config: when the source emitted chunks, when the client received events and when it rendered. Same time axis for every config.</p>${
      timelines.length > 0
        ? timelines.map((config) => `<h3>${escapeXml(config.name)}</h3><figure>${streamTimelineSvg(config.name, config.timeline!, maxMs)}</figure>`).join('')
        : '<p class="note">This result has no stream timeline (written by an older streambench); re-run the scenario.</p>'
    }`,
  );

  const context = doc.context;
  const meta = `run ${escapeXml(doc.runId)} · ${escapeXml(context.startedAt)} · ${escapeXml(context.cpuModel)} (${context.cores} cores) · Node ${escapeXml(context.node)}${context.gitCommit ? ` · commit ${escapeXml(context.gitCommit.slice(0, 12))}` : ''}${doc.interrupted ? ' · interrupted' : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${limits}${description ? `<p>${escapeXml(description)}</p>` : ''}
<p class="meta">${meta}</p>
${sections.join('\n')}
</body>
</html>
`;
}
