import { describe, expect, it } from "vitest";
import { interrupter } from "../src/interrupt.js";

describe("interrupter", () => {
  it("lets a busy loop see an abort raised from a timer, within a slice", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const checkpoint = interrupter(controller.signal, 5);
    const t0 = performance.now();
    let caught: unknown;
    try {
      // A CPU loop that never awaits anything else: without the checkpoint the timer never fires.
      for (;;) {
        for (let i = 0; i < 10_000; i++) Math.sqrt(i);
        await checkpoint();
      }
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).name).toBe("AbortError");
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("does not yield before the slice is used up", async () => {
    let clock = 0;
    const checkpoint = interrupter(undefined, 50, () => clock);
    let ticks = 0;
    const timer = setImmediate(() => {
      ticks++;
    });
    clock = 10;
    await checkpoint();
    expect(ticks).toBe(0);
    clock = 60;
    await checkpoint();
    expect(ticks).toBe(1);
    clearImmediate(timer);
  });

  it("throws at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(interrupter(controller.signal)()).rejects.toMatchObject({ name: "AbortError" });
  });
});
