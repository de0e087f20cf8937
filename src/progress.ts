/**
 * Progress bar on stderr, via cli-progress (redraw throttling, ETA and terminal width handling
 * that a hand-rolled bar would have to redo). Disabled when stderr is not a terminal.
 */
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream, enabled: boolean): Progress {
  if (!enabled) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      // No bar before the first batch is done: cli-progress has no rate yet and prints "NFs left".
      if (bar === undefined && done === 0) return;
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format:
              "embedding [{bar}] {percentage}% | {value}/{total} posts | {eta_formatted} left",
            hideCursor: false,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      } else bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
