/**
 * Typed errors. Stages throw these; only `cli.ts` catches them and maps them to exit codes.
 */

/** Process exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal error (a bug). */
  internal: 1,
  /** Bad command-line usage: an option's value is not allowed. */
  usage: 2,
  /** The corpus could not be found, read or verified. */
  data: 3,
  /** The model could not be found or loaded. */
  model: 4,
  /** A download failed (network, HTTP status, timeout, checksum). */
  network: 5,
  /** The requested device (CUDA) is not available. */
  device: 6,
  /** A quality gate (`--min-ari`, `--min-nmi`) was not met. */
  gate: 7,
  /** An output file (`--save-embeddings`, `--assignments`, `--report`) could not be written. */
  output: 8,
  /** Interrupted by SIGINT (128 + 2). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable machine-readable error kinds. */
export type ErrorKind = Exclude<keyof typeof ExitCode, "ok">;

/** An error meant for the user: one line of message, a kind and its exit code. */
export class CliError extends Error {
  readonly kind: ErrorKind;
  readonly exitCode: ExitCodeValue;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.kind = kind;
    this.exitCode = ExitCode[kind];
  }
}

export const usageError = (message: string) => new CliError("usage", message);
export const dataError = (message: string, cause?: unknown) =>
  new CliError("data", message, { cause });
export const modelError = (message: string, cause?: unknown) =>
  new CliError("model", message, { cause });
export const networkError = (message: string, cause?: unknown) =>
  new CliError("network", message, { cause });
export const deviceError = (message: string, cause?: unknown) =>
  new CliError("device", message, { cause });

/** Compile-time exhaustiveness check for switches over unions. */
export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
