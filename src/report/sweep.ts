/**
 * Renders a k sweep: one row per k (k, inertia, silhouette, and with labels ARI, NMI,
 * V-measure), the suggested k marked, in every output format. Pure: returns strings.
 */
import Table from "cli-table3";
import { assertUnreachable } from "../errors.js";
import type { OutputFormat, SweepResult, SweepRow } from "../types.js";
import { csvField, JSON_SCHEMA_VERSION } from "./format.js";

type Column = { name: string; get: (r: SweepRow) => number | undefined; digits: number };

/** The columns of a sweep: label metrics only when the posts have labels. */
function columns(s: SweepResult): Column[] {
  const cols: Column[] = [
    { name: "inertia", get: (r) => r.inertia, digits: 2 },
    { name: "silhouette", get: (r) => r.silhouette, digits: 4 },
  ];
  if (s.labelled) {
    cols.push(
      { name: "ari", get: (r) => r.ari, digits: 4 },
      { name: "nmi", get: (r) => r.nmi, digits: 4 },
      { name: "v_measure", get: (r) => r.v_measure, digits: 4 },
    );
  }
  return cols;
}

/** Rows of strings: full precision for data formats, rounded for people. */
function cells(s: SweepResult, rounded: boolean): string[][] {
  const cols = columns(s);
  return s.rows.map((r) => [
    String(r.k),
    ...cols.map((c) => {
      const v = c.get(r) as number;
      return rounded ? v.toFixed(c.digits) : String(v);
    }),
    rounded ? (r.suggested ? "<- suggested" : "") : String(r.suggested),
  ]);
}

/** The lines under the table: the suggestion, and the silhouette's sample when estimated. */
export function sweepNotes(s: SweepResult): string[] {
  const notes = [`suggested k: ${s.suggested} (highest silhouette)`];
  if (s.silhouetteSample !== undefined) {
    notes.push(
      `silhouette estimated on a seeded sample of ${s.silhouetteSample} of ${s.posts} posts`,
    );
  }
  return notes;
}

const PRETTY: Record<string, string> = {
  ari: "ARI",
  nmi: "NMI",
  v_measure: "V-measure",
};

function formatTable(s: SweepResult): string {
  const names = columns(s).map((c) => PRETTY[c.name] ?? c.name);
  const table = new Table({
    head: ["k", ...names, ""],
    style: { head: [], border: [], compact: true },
    colAligns: ["right", ...names.map(() => "right" as const), "left"],
  });
  for (const row of cells(s, true)) table.push(row);
  return `${table.toString()}\n${sweepNotes(s).join("\n")}\n`;
}

/** The JSON document: one entry per k in `sweep.rows`. */
export function sweepJsonDocument(s: SweepResult, version: string) {
  return {
    schema: JSON_SCHEMA_VERSION,
    version,
    config: s.config,
    counts: { posts: s.posts },
    sweep: {
      suggested: s.suggested,
      ...(s.silhouetteSample !== undefined ? { silhouetteSample: s.silhouetteSample } : {}),
      rows: s.rows,
    },
    timings: s.timings,
  };
}

/** Renders the sweep in the requested format. */
export function formatSweep(s: SweepResult, format: OutputFormat, version: string): string {
  const header = ["k", ...columns(s).map((c) => c.name), "suggested"];
  switch (format) {
    case "table":
      return formatTable(s);
    case "csv":
      return `${[header, ...cells(s, false)].map((l) => l.map(csvField).join(",")).join("\n")}\n`;
    case "tsv":
      return `${[header, ...cells(s, false)].map((l) => l.join("\t")).join("\n")}\n`;
    case "markdown": {
      const lines = [
        `| ${header.join(" | ")} |`,
        `| ${header.map((_, i) => (i === header.length - 1 ? "---" : "---:")).join(" | ")} |`,
        ...cells(s, true).map((l) => `| ${l.join(" | ")} |`),
      ];
      return `${lines.join("\n")}\n\n${sweepNotes(s).join("  \n")}\n`;
    }
    case "json":
      return `${JSON.stringify(sweepJsonDocument(s, version), null, 2)}\n`;
    default:
      return assertUnreachable(format);
  }
}
