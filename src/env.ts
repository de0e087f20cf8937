/**
 * The environment variables the tool reads, in one place: `readEnv(process.env)` is the only
 * read of the process environment (cli.ts calls it once); everything else takes the typed
 * `ToolEnv` it returns. Pure.
 */
import { usageError } from "./errors.js";

/** The variables (documented in the README's Environment section). */
export const ENV_NAMES = [
  "NEWSGROUP_CLUSTER_DATA",
  "NEWSGROUP_CLUSTER_CACHE",
  "NEWSGROUP_CLUSTER_MODELS",
  "NEWSGROUP_CLUSTER_DATA_URL",
  "NEWSGROUP_CLUSTER_DATA_SHA256",
  "NEWSGROUP_CLUSTER_HF_ENDPOINT",
  "NEWSGROUP_CLUSTER_TIMEOUT_MS",
  "XDG_CACHE_HOME",
  "COLUMNS",
] as const;

export type EnvName = (typeof ENV_NAMES)[number];

/** The raw variables: unset and empty both read as "not given" by `readEnv`. */
export type ToolEnv = Partial<Record<EnvName, string | undefined>>;

/** The default download timeout: 60 s without data. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The environment, typed: empty values are unset; paths stay as given (config resolves them). */
export interface EnvSettings {
  data: string | undefined;
  cache: string | undefined;
  models: string | undefined;
  xdgCacheHome: string | undefined;
  dataUrl: string | undefined;
  /** Lower case. */
  dataSha256: string | undefined;
  hfEndpoint: string | undefined;
  /** COLUMNS as a positive integer: the width a table must fit when stdout is not a terminal. */
  columns: number | undefined;
  /**
   * NEWSGROUP_CLUSTER_TIMEOUT_MS, validated when first asked for: a bad value fails only runs that
   * download something. @throws CliError(usage) naming the value.
   */
  timeoutMs: () => number;
}

/** Picks the tool's variables out of an environment (e.g. `process.env`). */
export function pickEnv(env: Record<string, string | undefined>): ToolEnv {
  const out: ToolEnv = {};
  for (const name of ENV_NAMES) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

const given = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === "" ? undefined : v;

/** Reads the tool's variables into typed settings (see `EnvSettings`). */
export function readEnv(env: ToolEnv): EnvSettings {
  const rawTimeout = env.NEWSGROUP_CLUSTER_TIMEOUT_MS;
  return {
    data: given(env.NEWSGROUP_CLUSTER_DATA),
    cache: given(env.NEWSGROUP_CLUSTER_CACHE),
    models: given(env.NEWSGROUP_CLUSTER_MODELS),
    xdgCacheHome: given(env.XDG_CACHE_HOME),
    dataUrl: given(env.NEWSGROUP_CLUSTER_DATA_URL),
    dataSha256: given(env.NEWSGROUP_CLUSTER_DATA_SHA256)?.trim().toLowerCase(),
    hfEndpoint: given(env.NEWSGROUP_CLUSTER_HF_ENDPOINT),
    columns: positiveInt(env.COLUMNS),
    timeoutMs: () => parseTimeoutMs(rawTimeout),
  };
}

const positiveInt = (v: string | undefined): number | undefined => {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
};

/**
 * NEWSGROUP_CLUSTER_TIMEOUT_MS: unset or empty = 60 s; anything but a positive integer of
 * milliseconds is a usage error.
 */
export function parseTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_TIMEOUT_MS;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) <= 0) {
    throw usageError(
      `NEWSGROUP_CLUSTER_TIMEOUT_MS must be a positive integer of milliseconds, got '${raw}'`,
    );
  }
  return Number(v);
}
