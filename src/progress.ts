/**
 * What a run says on stderr while it works. On a terminal: a bar per long stage (embedding,
 * k-means restarts) via cli-progress, its ETA estimated from word pieces rather than posts (posts
 * are embedded longest first, so a post-count ETA reads far too long early on). Elsewhere (CI
 * logs, `2> log`): one short line per stage, the embedding at 25/50/75/100 %. `--quiet`: nothing.
 */
import { createRequire } from "node:module";
import type cliProgressTypes from "cli-progress";
import type { PieceProgress } from "./embed/embedder.js";

export type ProgressMode = "bar" | "lines" | "off";

export interface Progress {
  /** Posts embedded (cached ones count as done), and word pieces when the model reports them. */
  embed(done: number, total: number, pieces?: PieceProgress): void;
  /** k-means restarts done out of all of them. */
  kmeans(done: number, total: number): void;
  /** A stage summary line (`corpus: 2000 posts from …`); not shown with --quiet. */
  line(text: string): void;
  stop(): void;
}

/** "1m05s", "42s": a duration for humans. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const r = Math.round(s);
  if (r < 60) return `${r}s`;
  const m = Math.floor(r / 60);
  return `${m}m${String(r % 60).padStart(2, "0")}s`;
}

/**
 * Seconds left, from the work done so far: word pieces when known (the cost of a post grows with
 * its length), posts otherwise. Undefined until some work is measured.
 */
export function etaSeconds(
  elapsedS: number,
  done: number,
  total: number,
  pieces?: PieceProgress,
): number | undefined {
  const [d, t] =
    pieces !== undefined && pieces.total > 0 ? [pieces.done, pieces.total] : [done, total];
  if (d <= 0 || elapsedS <= 0) return undefined;
  return ((t - d) * elapsedS) / d;
}

/** Stage lines for logs: the embedding at each quarter, with posts per second. */
function lineProgress(write: (line: string) => void, now: () => number): Progress {
  let embedStart: number | undefined;
  let embedFrom = 0;
  let quarter = 0;
  return {
    embed(done, total) {
      if (embedStart === undefined) {
        embedStart = now();
        embedFrom = done;
        if (done === total) {
          write(`embedding: ${total} posts, all from the cache`);
          quarter = 4;
          return;
        }
        if (done > 0) write(`embedding: ${done} of ${total} posts from the cache`);
      }
      while (quarter < 4 && done * 4 >= (quarter + 1) * total) {
        quarter++;
        const s = (now() - embedStart) / 1000;
        const rate = s > 0 ? ((done - embedFrom) / s).toFixed(1) : "-";
        write(`embedding: ${quarter * 25}% (${done}/${total} posts, ${rate} posts/s)`);
      }
    },
    kmeans() {},
    line: write,
    stop() {},
  };
}

/** cli-progress, loaded on the first bar (20 ms of every start-up otherwise, bars or not). */
const require = createRequire(import.meta.url);
const cliProgress = () => require("cli-progress") as typeof cliProgressTypes;

/** A bar on the terminal, one per stage; its ETA from word pieces (`etaSeconds`). */
function barProgress(stream: NodeJS.WriteStream, now: () => number): Progress {
  let bar: cliProgressTypes.SingleBar | undefined;
  let stage: "embed" | "kmeans" | undefined;
  let start = 0;
  const open = (which: "embed" | "kmeans", format: string, total: number, done: number) => {
    if (stage === which) return;
    bar?.stop();
    stage = which;
    start = now();
    const { SingleBar, Presets } = cliProgress();
    bar = new SingleBar(
      { stream, format, hideCursor: false, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(total, done, { left: "…" });
  };
  const close = () => {
    bar?.stop();
    bar = undefined;
    stage = undefined;
  };
  let first: { done: number; pieces: number } | undefined;
  return {
    embed(done, total, pieces) {
      if (done >= total) return close();
      if (stage !== "embed") {
        first = { done, pieces: pieces?.done ?? 0 };
        open(
          "embed",
          "embedding [{bar}] {percentage}% | {value}/{total} posts | {left} left",
          total,
          done,
        );
        return;
      }
      // Work measured since the bar opened: cached posts cost nothing.
      const base = first ?? { done: 0, pieces: 0 };
      const eta = etaSeconds(
        (now() - start) / 1000,
        done - base.done,
        total - base.done,
        pieces && { done: pieces.done - base.pieces, total: pieces.total - base.pieces },
      );
      bar?.update(done, { left: eta === undefined ? "…" : formatSeconds(eta) });
    },
    kmeans(done, total) {
      if (done >= total) return close();
      if (stage !== "kmeans") {
        open("kmeans", "k-means   [{bar}] {value}/{total} restarts | {left} left", total, done);
        return;
      }
      const eta = etaSeconds((now() - start) / 1000, done, total);
      bar?.update(done, { left: eta === undefined ? "…" : formatSeconds(eta) });
    },
    line(text) {
      // Over an open bar: clear its line; the bar redraws itself on its next update.
      stream.write(`${bar === undefined ? "" : "\r\x1b[2K"}newsgroup-cluster: ${text}\n`);
    },
    stop: close,
  };
}

/** The progress of one run on `stream`, in the given mode (`now`: a clock in milliseconds). */
export function createProgress(
  stream: NodeJS.WriteStream,
  mode: ProgressMode,
  now: () => number = () => performance.now(),
): Progress {
  switch (mode) {
    case "off":
      return { embed() {}, kmeans() {}, line() {}, stop() {} };
    case "lines":
      return lineProgress((l) => stream.write(`newsgroup-cluster: ${l}\n`), now);
    case "bar":
      return barProgress(stream, now);
  }
}
