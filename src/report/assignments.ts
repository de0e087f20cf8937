/**
 * Per-post export: one row per post in corpus order with its cluster (the id shown in the table)
 * and its distance to that cluster's centre. Pure.
 */
import type { Doc } from "../types.js";
import { csvField } from "./format.js";

/** CSV (header `split,group,id,cluster,distance`) or JSON Lines with the same keys. */
export function formatAssignments(
  docs: readonly Pick<Doc, "split" | "group" | "id">[],
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  format: "csv" | "jsonl",
): string {
  const rows = docs.map((d, i) => ({
    split: d.split,
    group: d.group,
    id: d.id,
    cluster: labels[i] as number,
    // Rounded so that output is stable across platforms' last-bit float differences.
    distance: Number((distances[i] as number).toFixed(6)),
  }));
  if (format === "jsonl") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  const lines = rows.map((r) =>
    [r.split, r.group, r.id, String(r.cluster), String(r.distance)].map(csvField).join(","),
  );
  return `split,group,id,cluster,distance\n${lines.map((l) => `${l}\n`).join("")}`;
}
