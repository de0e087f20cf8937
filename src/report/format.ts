/**
 * Renders a run's result as text. Pure: returns strings, prints nothing. The only importer of
 * cli-table3.
 */
import Table from "cli-table3";
import { assertUnreachable } from "../errors.js";
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

/** The metrics as one line, e.g. `ARI 0.4923  NMI 0.4975 ...`. */
export function formatMetrics(m: Metrics): string {
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
  if (m.silhouetteSample !== undefined) {
    parts.push(`(silhouette estimated on a seeded sample of ${m.silhouetteSample} posts)`);
  }
  return parts.join("  ");
}

/** One line per cluster: `cluster 0 (812 posts): space, nasa, orbit`. */
export function formatLabels(labels: readonly ClusterLabel[]): string {
  return labels
    .map(
      (l) =>
        `cluster ${l.cluster} (${l.size} posts)${l.terms.length > 0 ? `: ${l.terms.join(", ")}` : ""}`,
    )
    .join("\n");
}

/** Boxed table for terminals, with row and column totals. */
export function formatTable(t: Contingency): string {
  const table = new Table({
    head: [...header(t), "total"],
    style: { head: [], border: [], compact: true },
    colAligns: ["left", ...t.clusters.map(() => "right" as const), "right"],
  });
  const colTotals = t.clusters.map(() => 0);
  t.groups.forEach((g, i) => {
    const r = t.counts[i] as number[];
    r.forEach((v, j) => {
      colTotals[j] = (colTotals[j] as number) + v;
    });
    table.push([g, ...r.map(String), String(r.reduce((a, b) => a + b, 0))]);
  });
  table.push(["total", ...colTotals.map(String), String(colTotals.reduce((a, b) => a + b, 0))]);
  return `${table.toString()}\n`;
}

/** The JSON document (see README "JSON output"; its shape is tested). */
export function jsonDocument(r: RunResult, version: string) {
  const groupSizes = Object.fromEntries(
    r.table.groups.map((g, i) => [g, sum(r.table.counts[i] as number[])]),
  );
  return {
    schema: JSON_SCHEMA_VERSION,
    version,
    config: r.config,
    counts: { posts: r.posts, groups: groupSizes, clusters: r.labels.map((l) => l.size) },
    table: { groups: r.table.groups, clusters: r.table.clusters, counts: r.table.counts },
    metrics: r.metrics,
    labels: r.labels,
    timings: r.timings,
  };
}

export function formatJson(r: RunResult, version: string): string {
  return `${JSON.stringify(jsonDocument(r, version), null, 2)}\n`;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Renders the result in the requested format. */
export function formatResult(r: RunResult, format: OutputFormat, version: string): string {
  switch (format) {
    case "table": {
      const labels = r.labels.some((l) => l.terms.length > 0) ? `${formatLabels(r.labels)}\n` : "";
      return `${formatTable(r.table)}${formatMetrics(r.metrics)}\n${labels}`;
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
