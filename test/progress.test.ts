import { describe, expect, it } from "vitest";
import { createProgress, etaSeconds, formatSeconds } from "../src/progress.js";

/** A stream that records what is written (createProgress writes only). */
function sink() {
  const chunks: string[] = [];
  const stream = { write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join("") };
}

describe("progress", () => {
  it("estimates the time left from word pieces when known, posts otherwise", () => {
    // 10 s for the first 100 of 1000 posts, but those held half of the word pieces.
    expect(etaSeconds(10, 100, 1000, { done: 5000, total: 10000 })).toBeCloseTo(10);
    expect(etaSeconds(10, 100, 1000)).toBeCloseTo(90);
    expect(etaSeconds(0, 0, 1000)).toBeUndefined();
    expect(formatSeconds(65)).toBe("1m05s");
    expect(formatSeconds(42.4)).toBe("42s");
  });

  it("logs the embedding at each quarter with posts per second, once each", () => {
    const { stream, text } = sink();
    let t = 0;
    const p = createProgress(stream, "lines", () => t);
    p.embed(0, 8);
    t = 1000;
    p.embed(3, 8); // past 25 %
    t = 2000;
    p.embed(8, 8); // 50, 75, 100 at once
    p.line("k-means: k=2, 10 restarts, 0.1 s");
    expect(text().split("\n").filter(Boolean)).toEqual([
      "newsgroup-cluster: embedding: 25% (3/8 posts, 3.0 posts/s)",
      "newsgroup-cluster: embedding: 50% (8/8 posts, 4.0 posts/s)",
      "newsgroup-cluster: embedding: 75% (8/8 posts, 4.0 posts/s)",
      "newsgroup-cluster: embedding: 100% (8/8 posts, 4.0 posts/s)",
      "newsgroup-cluster: k-means: k=2, 10 restarts, 0.1 s",
    ]);
  });

  it("says when every vector came from the cache; off says nothing", () => {
    const a = sink();
    createProgress(a.stream, "lines").embed(5, 5);
    expect(a.text()).toBe("newsgroup-cluster: embedding: 5 posts, all from the cache\n");
    const b = sink();
    const off = createProgress(b.stream, "off");
    off.embed(0, 5);
    off.embed(5, 5);
    off.line("x");
    expect(b.text()).toBe("");
  });

  it("draws a bar per stage with the time left, cleared when the stage ends", () => {
    const { stream, text } = sink();
    // cli-progress draws only on a terminal.
    Object.assign(stream, { isTTY: true, columns: 120 });
    let t = 0;
    const p = createProgress(stream, "bar", () => t);
    p.embed(0, 10, { done: 0, total: 1000 });
    t = 4000;
    p.embed(5, 10, { done: 800, total: 1000 }); // 800 word pieces in 4 s: 200 left, 1 s
    expect(text()).toMatch(/embedding \[.*\] 0% \| 0\/10 posts \| … left/);
    p.embed(10, 10);
    p.kmeans(0, 4);
    expect(text()).toContain("0/4 restarts");
    p.stop();
  });
});
