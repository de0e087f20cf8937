/**
 * Renders a run's result as text. Pure: returns strings, prints nothing. The only importer of
 * cli-table3.
 */
import Table from "cli-table3";
import { assertUnreachable } from "../errors.js";
// The one pure helper the report takes from evaluate/: totals are computed in one place.
import { margins } from "../evaluate/contingency.js";
import type { ClusterLabel, Contingency, Metrics, OutputFormat, RunResult } from "../types.js";

/** Version of the JSON document's shape; bumped on incompatible changes. */
export const JSON_SCHEMA_VERSION = 1;

function header(t: Contingency): string[] {
  return ["newsgroup", ...t.clusters.map(String)];
}

function rows(t: Contingency): string[][] {
  return t.groups.map((g, i) => [g, ...(t.counts[i] as number[]).map(String)]);
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV per RFC 4180 with CRLF-free "\n" line ends: header `newsgroup,<cluster id>,...`. */
export function formatCsv(t: Contingency): string {
  return `${[header(t), ...rows(t)].map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}

/** Tab-separated; tabs and newlines inside names are replaced by spaces. */
export function formatTsv(t: Contingency): string {
  const clean = (s: string) => s.replace(/[\t\r\n]/g, " ");
  return `${[header(t), ...rows(t)].map((r) => r.map(clean).join("\t")).join("\n")}\n`;
}

/** GitHub-flavoured Markdown table; counts right-aligned. */
export function formatMarkdown(t: Contingency): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const h = header(t);
  const lines = [
    `| ${h.map(esc).join(" | ")} |`,
    `| ${h.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows(t).map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The metrics' parts, e.g. `ARI 0.4923`, `NMI 0.4975`, ... */
function metricParts(m: Metrics): string[] {
  const parts = [
    `ARI ${m.ari.toFixed(4)}`,
    `NMI ${m.nmi.toFixed(4)}`,
    `homogeneity ${m.homogeneity.toFixed(4)}`,
    `completeness ${m.completeness.toFixed(4)}`,
    `V-measure ${m.v_measure.toFixed(4)}`,
    `purity ${m.purity.toFixed(4)}`,
    `accuracy ${m.accuracy.toFixed(4)}`,
    `inertia ${m.inertia.toFixed(2)}`,
  ];
  if (m.silhouette !== undefined) parts.push(`silhouette ${m.silhouette.toFixed(4)}`);
  if (m.silhouetteOmitted !== undefined) parts.push(`silhouette n/a (${m.silhouetteOmitted})`);
  if (m.silhouetteSample !== undefined) {
    parts.push(`(silhouette estimated on a seeded sample of ${m.silhouetteSample} posts)`);
  }
  return parts;
}

/** The metrics as one line, e.g. `ARI 0.4923  NMI 0.4975 ...`; wrapped between metrics to fit `columns`. */
export function formatMetrics(m: Metrics, columns?: number): string {
  return wrapParts(metricParts(m), "  ", "", columns);
}

/**
 * One line per cluster: `cluster 0 (812 posts): space, nasa, orbit`; a line longer than `columns`
 * continues on indented lines, broken after a comma.
 */
export function formatLabels(labels: readonly ClusterLabel[], columns?: number): string {
  return labels
    .map((l) => {
      const head = `cluster ${l.cluster} (${l.size} posts)`;
      if (l.terms.length === 0) return head;
      const parts = l.terms.map((t, i) => (i < l.terms.length - 1 ? `${t},` : t));
      parts[0] = `${head}: ${parts[0]}`;
      return wrapParts(parts, " ", "    ", columns);
    })
    .join("\n");
}

/**
 * Joins `parts` with `sep`, starting a new line (prefixed by `indent`) before a part that would
 * pass `columns`; a part is never split. Without `columns`, one line.
 */
export function wrapParts(
  parts: readonly string[],
  sep: string,
  indent: string,
  columns?: number,
): string {
  if (columns === undefined) return parts.join(sep);
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line === "") line = lines.length === 0 ? part : `${indent}${part}`;
    else if (line.length + sep.length + part.length <= columns) line += `${sep}${part}`;
    else {
      lines.push(line);
      line = `${indent}${part}`;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

/** A boxed table of the given cluster columns (indices into `t.clusters`), totals optional. */
function boxed(t: Contingency, cols: readonly number[], totals: boolean): string {
  const table = new Table({
    head: ["newsgroup", ...cols.map((j) => String(t.clusters[j])), ...(totals ? ["total"] : [])],
    style: { head: [], border: [], compact: true },
    colAligns: ["left", ...cols.map(() => "right" as const), ...(totals ? ["right" as const] : [])],
  });
  const m = margins(t);
  t.groups.forEach((g, i) => {
    const r = t.counts[i] as number[];
    table.push([g, ...cols.map((j) => String(r[j])), ...(totals ? [String(m.rows[i])] : [])]);
  });
  table.push([
    "total",
    ...cols.map((j) => String(m.cols[j])),
    ...(totals ? [String(m.total)] : []),
  ]);
  return `${table.toString()}\n`;
}

/**
 * Splits the cluster columns into blocks whose boxed tables are at most `columns` characters wide
 * (each block repeats the newsgroup column; the row totals close the last block). A column is
 * `content + 2` padding `+ 1` border wide, plus the table's left border.
 */
export function columnBlocks(t: Contingency, columns: number): number[][] {
  const { rows: rowTotals, cols: colTotals, total } = margins(t);
  const width = (cells: readonly string[]) => Math.max(...cells.map((c) => c.length)) + 3;
  const nameWidth = 1 + width(["newsgroup", "total", ...t.groups]);
  const colWidth = t.clusters.map((c, j) =>
    width([String(c), String(colTotals[j]), ...t.counts.map((r) => String(r[j]))]),
  );
  const totalWidth = width(["total", String(total), ...rowTotals.map(String)]);
  const blocks: number[][] = [];
  let block: number[] = [];
  let used = nameWidth;
  colWidth.forEach((w, j) => {
    // The last column must leave room for the totals beside it.
    const need = w + (j === colWidth.length - 1 ? totalWidth : 0);
    if (block.length > 0 && used + need > columns) {
      blocks.push(block);
      block = [];
      used = nameWidth;
    }
    block.push(j);
    used += w;
  });
  if (block.length > 0) blocks.push(block);
  return blocks;
}

/**
 * Boxed table for terminals, with row and column totals. With `columns`, a table wider than that
 * is split into blocks of cluster columns that fit, one under the other.
 */
export function formatTable(t: Contingency, columns?: number): string {
  const all = t.clusters.map((_, j) => j);
  if (columns === undefined) return boxed(t, all, true);
  const blocks = columnBlocks(t, columns);
  if (blocks.length === 1) return boxed(t, all, true);
  const parts = blocks.map((cols, b) => boxed(t, cols, b === blocks.length - 1));
  const note = `(${blocks.length} blocks of columns to fit ${columns} columns; --format csv or --report give the whole table)`;
  return `${parts.join("")}${wrapParts(note.split(" "), " ", "", columns)}\n`;
}

/** The JSON document (see README "JSON output"; its shape is tested). */
export function jsonDocument(r: RunResult, version: string) {
  const rows = margins(r.table).rows;
  const groupSizes = Object.fromEntries(r.table.groups.map((g, i) => [g, rows[i]]));
  return {
    schema: JSON_SCHEMA_VERSION,
    version,
    config: r.config,
    counts: {
      posts: r.posts,
      groups: groupSizes,
      clusters: r.labels.map((l) => l.size),
      empty: r.empty ?? 0,
    },
    table: { groups: r.table.groups, clusters: r.table.clusters, counts: r.table.counts },
    // An omitted silhouette is null, with its reason beside it.
    metrics:
      r.metrics.silhouetteOmitted === undefined ? r.metrics : { ...r.metrics, silhouette: null },
    labels: r.labels,
    timings: r.timings,
  };
}

export function formatJson(r: RunResult, version: string): string {
  return `${JSON.stringify(jsonDocument(r, version), null, 2)}\n`;
}

/**
 * Renders the result in the requested format. `columns`, the terminal's width, shapes only the
 * boxed table and its lines; the machine formats never wrap.
 */
export function formatResult(
  r: RunResult,
  format: OutputFormat,
  version: string,
  columns?: number,
): string {
  switch (format) {
    case "table": {
      const labels = r.labels.some((l) => l.terms.length > 0)
        ? `${formatLabels(r.labels, columns)}\n`
        : "";
      return `${formatTable(r.table, columns)}${formatMetrics(r.metrics, columns)}\n${labels}`;
    }
    case "csv":
      return formatCsv(r.table);
    case "tsv":
      return formatTsv(r.table);
    case "markdown":
      return formatMarkdown(r.table);
    case "json":
      return formatJson(r, version);
    default:
      return assertUnreachable(format);
  }
}
