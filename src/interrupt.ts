/**
 * Cooperative interruption for long CPU loops. JavaScript runs a signal handler only when the
 * event loop gets a turn, so a loop that never yields makes Ctrl-C wait until it ends. Stages
 * take an optional `AbortSignal` and call `checkpoint()` between chunks of work: at most every
 * `sliceMs` it yields to the event loop (so the SIGINT handler can run and abort the signal), then
 * throws the signal's AbortError if it was aborted. Between slices a call costs one clock read.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

/** Calls between yields are this far apart at most, in milliseconds (Ctrl-C budget is 500 ms). */
export const DEFAULT_SLICE_MS = 50;

/** An async check to await between chunks of a long loop; see `interrupter`. */
export type Checkpoint = () => Promise<void>;

/**
 * Returns a checkpoint bound to `signal`. Without a signal it still yields every slice, which keeps
 * timers and I/O (progress output, stdout errors) alive during long loops.
 * @throws (from the checkpoint) the signal's reason, an AbortError, once the signal is aborted.
 */
export function interrupter(
  signal: AbortSignal | undefined,
  sliceMs = DEFAULT_SLICE_MS,
  now: () => number = performance.now.bind(performance),
): Checkpoint {
  let last = now();
  return async () => {
    signal?.throwIfAborted();
    const t = now();
    if (t - last < sliceMs) return;
    await yieldToEventLoop();
    last = now();
    signal?.throwIfAborted();
  };
}
