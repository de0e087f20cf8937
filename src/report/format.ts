/**
 * Renders a run's result as text. Pure: returns strings, prints nothing. The only importer of
 * cli-table3.
 */
import Table from "cli-table3";
import { assertUnreachable } from "../errors.js";
import type { Contingency, OutputFormat, RunResult } from "../types.js";

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

/** Boxed table for terminals, with row and column totals. */
export function formatTable(t: Contingency): string {
  const table = new Table({
    head: [...header(t), "total"],
    style: { head: [], border: [] },
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

/** The JSON document (see README "JSON output"). */
export function formatJson(r: RunResult, version: string): string {
  const doc = {
    schema: JSON_SCHEMA_VERSION,
    version,
    config: r.config,
    posts: r.posts,
    table: { groups: r.table.groups, clusters: r.table.clusters, counts: r.table.counts },
    inertia: r.inertia,
    timings: r.timings,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Renders the result in the requested format. */
export function formatResult(r: RunResult, format: OutputFormat, version: string): string {
  switch (format) {
    case "table":
      return formatTable(r.table);
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
