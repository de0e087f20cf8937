/**
 * Renders the result of a run on posts without labels: one row per cluster with its size, share
 * and top terms, in every output format. Pure: returns strings.
 */
import Table from "cli-table3";
import { assertUnreachable } from "../errors.js";
import type { OutputFormat, UnlabelledMetrics, UnlabelledRunResult } from "../types.js";
import { csvField, JSON_SCHEMA_VERSION } from "./format.js";

const HEADER = ["cluster", "size", "share", "terms"];

/** Rows of the size table: id, size, share (4 decimals), top terms separated by spaces. */
function rows(r: UnlabelledRunResult): string[][] {
  return r.table.clusters.map((c, j) => [
    String(c),
    String(r.table.sizes[j]),
    (r.table.shares[j] as number).toFixed(4),
    (r.labels[j]?.terms ?? []).join(" "),
  ]);
}

/** `inertia 812.25  silhouette 0.0712`, with the sample size when the silhouette is estimated. */
export function formatUnlabelledMetrics(m: UnlabelledMetrics): string {
  const parts = [`inertia ${m.inertia.toFixed(2)}`];
  if (m.silhouette !== undefined) parts.push(`silhouette ${m.silhouette.toFixed(4)}`);
  if (m.silhouetteSample !== undefined) {
    parts.push(`(silhouette estimated on a seeded sample of ${m.silhouetteSample} posts)`);
  }
  return parts.join("  ");
}

/** Boxed table for terminals with a total row, then the metrics line. */
function formatTable(r: UnlabelledRunResult): string {
  const table = new Table({
    head: ["cluster", "size", "share", "top terms"],
    style: { head: [], border: [], compact: true },
    colAligns: ["right", "right", "right", "left"],
  });
  for (const row of rows(r)) {
    const share = `${(Number(row[2]) * 100).toFixed(1)}%`;
    table.push([row[0] as string, row[1] as string, share, row[3] as string]);
  }
  table.push(["total", String(r.posts), "100.0%", ""]);
  return `${table.toString()}\n${formatUnlabelledMetrics(r.metrics)}\n`;
}

/** The JSON document: the labelled document's schema, with `table` holding the sizes. */
export function unlabelledJsonDocument(r: UnlabelledRunResult, version: string) {
  return {
    schema: JSON_SCHEMA_VERSION,
    version,
    config: r.config,
    counts: { posts: r.posts, clusters: r.table.sizes, empty: r.empty ?? 0 },
    table: { clusters: r.table.clusters, sizes: r.table.sizes, shares: r.table.shares },
    metrics: r.metrics,
    labels: r.labels,
    timings: r.timings,
  };
}

/** Renders the result in the requested format. */
export function formatUnlabelled(
  r: UnlabelledRunResult,
  format: OutputFormat,
  version: string,
): string {
  switch (format) {
    case "table":
      return formatTable(r);
    case "csv":
      return `${[HEADER, ...rows(r)].map((l) => l.map(csvField).join(",")).join("\n")}\n`;
    case "tsv": {
      const clean = (s: string) => s.replace(/[\t\r\n]/g, " ");
      return `${[HEADER, ...rows(r)].map((l) => l.map(clean).join("\t")).join("\n")}\n`;
    }
    case "markdown": {
      const esc = (s: string) => s.replaceAll("|", "\\|");
      const lines = [
        `| ${HEADER.join(" | ")} |`,
        "| ---: | ---: | ---: | --- |",
        ...rows(r).map((l) => `| ${l.map(esc).join(" | ")} |`),
      ];
      return `${lines.join("\n")}\n`;
    }
    case "json":
      return `${JSON.stringify(unlabelledJsonDocument(r, version), null, 2)}\n`;
    default:
      return assertUnreachable(format);
  }
}
