/**
 * A vitest reporter that ends the run with one line naming the layers whose tests were skipped
 * for want of their inputs, how many tests each, and how to enable them (see layers.ts).
 */
import type { Reporter, TestModule } from "vitest/node";
import { skipReasons, TAG } from "./layers.js";

const LAYER_NAMES: Record<keyof typeof TAG, string> = {
  full: "full layer",
  weights: "real-weights test",
  chromium: "browser tests",
};

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const reasons = skipReasons();
    const parts: string[] = [];
    for (const layer of Object.keys(TAG) as (keyof typeof TAG)[]) {
      let skipped = 0;
      for (const m of modules) {
        for (const t of m.children.allTests()) {
          if (t.fullName.includes(TAG[layer]) && t.result().state === "skipped") skipped++;
        }
      }
      const why = reasons[layer];
      if (skipped > 0 && why !== undefined) {
        parts.push(`${LAYER_NAMES[layer]}, ${skipped} test${skipped === 1 ? "" : "s"}: ${why}`);
      }
    }
    if (parts.length > 0) process.stdout.write(`\nskipped: ${parts.join("; ")}\n`);
  }
}
