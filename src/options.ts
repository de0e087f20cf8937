/**
 * Option value parsers for commander: each validates one raw string and returns the typed value,
 * or throws InvalidArgumentError naming the bad value and what is allowed. Pure.
 */
import { resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { ALL_GROUPS, suggestGroups } from "./dataset/groups.js";
import type { RemovePart } from "./types.js";

export const REMOVABLE: readonly RemovePart[] = ["headers", "footers", "quotes"];

export const intParser =
  (name: string, min: number, max: number, allowed = `an integer from ${min} to ${max}`) =>
  (value: string): number => {
    const v = value.trim();
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${name} must be ${allowed}, got '${value}'.`);
    }
    return Number(v);
  };

export const scoreParser =
  (name: string, min: number) =>
  (value: string): number => {
    const v = Number(value);
    if (value.trim() === "" || !Number.isFinite(v) || v < min || v > 1) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to 1, got '${value}'.`);
    }
    return v;
  };

/**
 * Device and descriptor paths (`/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`): written through,
 * exempt from the extension an output file needs.
 */
export const isSpecialPath = (value: string): boolean => /^\/(dev|proc)\//.test(resolve(value));

/** `--assignments`: the export format follows the extension (CSV to a device). */
export function parseAssignments(value: string): { path: string; format: "csv" | "jsonl" } {
  if (isSpecialPath(value)) return { path: resolve(value), format: "csv" };
  const lower = value.toLowerCase();
  if (lower.endsWith(".csv")) return { path: resolve(value), format: "csv" };
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson"))
    return { path: resolve(value), format: "jsonl" };
  throw new InvalidArgumentError(
    `--assignments file must end in .csv, .jsonl or .ndjson, got '${value}'.`,
  );
}

/** `--categories`: `all`, or a comma list of distinct newsgroup names. */
export function parseCategories(value: string): string[] {
  const v = value.trim().toLowerCase();
  if (v === "all") return [...ALL_GROUPS];
  const names = v.split(",").map((s) => s.trim());
  if (v === "" || names.some((n) => n === "")) {
    throw new InvalidArgumentError(
      `--categories needs a comma-separated list of newsgroups or 'all', got '${value}'.`,
    );
  }
  if (names.includes("all")) {
    throw new InvalidArgumentError(
      `--categories 'all' cannot be combined with newsgroup names, got '${value}'.`,
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (!ALL_GROUPS.includes(n)) {
      throw new InvalidArgumentError(
        `unknown newsgroup '${n}'; did you mean ${suggestGroups(n).join(", ")}? (or 'all'; see --help for the 20 names)`,
      );
    }
    if (seen.has(n))
      throw new InvalidArgumentError(`newsgroup '${n}' is listed twice in --categories.`);
    seen.add(n);
  }
  return [...seen].sort();
}

/** `--remove`: a comma list of headers, footers, quotes, or `none`. */
export function parseRemove(value: string): RemovePart[] {
  const v = value.trim();
  if (v === "none") return [];
  const parts = v.split(",").map((s) => s.trim());
  const out: RemovePart[] = [];
  for (const p of parts) {
    if (!(REMOVABLE as readonly string[]).includes(p)) {
      throw new InvalidArgumentError(
        `--remove takes a comma list of headers, footers, quotes, or 'none'; got '${p === "" ? value : p}'.`,
      );
    }
    if (!out.includes(p as RemovePart)) out.push(p as RemovePart);
  }
  return REMOVABLE.filter((r) => out.includes(r));
}
