/** The report's last section: the run's configuration and its timings per stage. */
import type { Ctx } from "./context.js";
import { escapeHtml, seconds } from "./text.js";

/** Where the posts came from: an --input file, or the built-in corpus's selection. */
function selectionRows(c: Ctx["input"]["result"]["config"]): [string, string][] {
  if (c.input !== undefined) return [["input", c.input === "-" ? "standard input" : c.input]];
  return [
    ["newsgroups", c.selection.categories.join(", ")],
    ["subset", c.selection.subset],
    ["removed", c.selection.remove.length > 0 ? c.selection.remove.join(", ") : "nothing"],
  ];
}

/** The run section (`#run`). */
export function renderRunSection({ input }: Ctx): string {
  const { config: c, timings } = input.result;
  const tfidf = c.embedder === "tfidf";
  const rows: [string, string][] = [
    ["embedder", tfidf ? "TF-IDF + LSA (no model)" : "sentence embeddings (transformers.js)"],
    ["model", c.model],
    ["dtype", c.dtype],
    // All vectors came from the embedding cache: no model ran in this run.
    ["device", c.device === "cache" ? "from the cache (computed in an earlier run)" : c.device],
    ["max length", c.maxLength > 0 ? `${c.maxLength} word pieces` : "n/a"],
    ["k", String(c.k)],
    ["seed", String(c.seed)],
    ["n-init", String(c.nInit)],
    ["column order", c.order],
    ...selectionRows(c),
    ["version", input.version],
  ];
  const config = rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const entries = Object.entries(timings);
  const longest = Math.max(1e-9, ...entries.map(([, s]) => s));
  const total = entries.reduce((a, [, s]) => a + s, 0);
  const bars = entries
    .map(
      ([stage, s]) =>
        `<div class="timing"><span class="mn">${escapeHtml(stage)}</span><span class="bar"><i style="width:${((s / longest) * 100).toFixed(1)}%"></i></span>` +
        `<span class="mv">${seconds(s)}</span></div>`,
    )
    .join("");
  return (
    `<section id="run" class="card"><h2>Run</h2><div class="split run"><div><h3>Configuration</h3>` +
    `<table class="kv">${config}</table></div><div><h3>Timings</h3>${bars}` +
    `<div class="timing total"><span class="mn">total</span><span class="bar"></span><span class="mv">${seconds(total)}</span></div>` +
    `</div></div></section>\n`
  );
}
