/**
 * The HTML report (model-free TF-IDF embedder), opened in headless Chromium: it must render
 * without console errors, request nothing but itself, and show the run's table and every post.
 * Runs on the synthetic corpus, and on the real default corpus where it is present (../shared or
 * the tool's cache: "[full]"). Writes test-artifacts/report*.html and report*.png for a human look. Needs Chromium
 * (/usr/bin/chromium, or NEWSGROUP_CLUSTER_CHROMIUM): without it the suites are skipped, and the
 * run's closing line says so.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/dataset/corpus.js";
import { DEFAULT_GROUPS } from "../../src/dataset/groups.js";
import { TfidfLsaEmbedder } from "../../src/embed/tfidf.js";
import { pca2 } from "../../src/evaluate/project.js";
import { type PipelineOutput, run } from "../../src/pipeline.js";
import { renderHtmlReport } from "../../src/report/html/page.js";
import type { CorpusSelection } from "../../src/types.js";
import { CLI, ROOT } from "../helpers.js";
import { fixtureTotal } from "../support/corpus.js";
import { fixtures } from "../support/fixtures.js";
import { CHROMIUM, HAVE_CHROMIUM, REAL_ARCHIVE, TAG } from "../support/layers.js";

const ARTIFACTS = join(ROOT, "test-artifacts");

const selection: CorpusSelection = {
  categories: [...DEFAULT_GROUPS],
  subset: "all",
  remove: ["headers", "footers", "quotes"],
};

reportSuite(`${TAG.chromium} HTML report of the synthetic corpus in Chromium`, {
  skip: !HAVE_CHROMIUM,
  archive: () => fixtures().archive,
  posts: fixtureTotal(),
  name: "report-fixture",
});
reportSuite(`${TAG.full} ${TAG.chromium} HTML report of the default corpus in Chromium`, {
  skip: REAL_ARCHIVE === undefined || !HAVE_CHROMIUM,
  archive: () => REAL_ARCHIVE ?? "",
  posts: 3387,
  name: "report",
});

interface ReportCase {
  skip: boolean;
  /** The corpus archive. */
  archive: () => string;
  /** Posts of the default groups in it. */
  posts: number;
  /** Base name of the files written under test-artifacts/. */
  name: string;
}

function reportSuite(title: string, c: ReportCase): void {
  describe.skipIf(c.skip)(title, () => {
    const REPORT = join(ARTIFACTS, `${c.name}.html`);
    const SCREENSHOT = join(ARTIFACTS, `${c.name}.png`);
    let out: PipelineOutput;
    let browser: Browser | undefined;
    let page: Page;
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    let url: string;

    beforeAll(async () => {
      out = await run(
        {
          selection,
          embedder: "tfidf",
          k: 4,
          seed: 42,
          nInit: 2,
          maxIterations: 300,
          order: "matched",
          topTerms: 8,
          silhouette: false,
        },
        {
          loadCorpus: () => loadCorpus(readFileSync(c.archive()), selection, c.archive()),
          createEmbedder: async () => new TfidfLsaEmbedder(),
          now: () => performance.now(),
        },
      );
      const html = renderHtmlReport({
        result: out.result,
        version: "test",
        posts: out.corpus.docs,
        labels: out.labels,
        distances: out.distances,
        points: await pca2(out.embeddings),
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(REPORT, html);
      url = pathToFileURL(REPORT).href;

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(String(e)));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url, { waitUntil: "load" });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    it("is a single file under 5 MB", () => {
      expect(out.corpus.docs).toHaveLength(c.posts);
      expect(statSync(REPORT).size).toBeLessThan(5_000_000);
    });

    it("loads with no console errors and no request but the file itself", async () => {
      await page.waitForTimeout(300); // let anything late (favicon, fonts) show up
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([url]);
    });

    it("shows one heatmap cell per newsgroup x cluster with the run's counts", async () => {
      const cells = await page.$$eval("td[data-group][data-cluster]", (els) =>
        els.map((e) => ({
          group: e.getAttribute("data-group"),
          cluster: Number(e.getAttribute("data-cluster")),
          count: Number(e.getAttribute("data-count")),
          shown: Number(e.querySelector("b")?.textContent),
        })),
      );
      const { groups, clusters, counts } = out.result.table;
      expect(cells).toHaveLength(groups.length * clusters.length);
      expect(cells).toEqual(
        groups.flatMap((g, i) =>
          clusters.map((c, j) => ({
            group: g,
            cluster: c,
            count: counts[i]?.[j],
            shown: counts[i]?.[j],
          })),
        ),
      );
    });

    it("draws exactly one mark per post, each with its post's tooltip", async () => {
      const marks = await page.$$eval("svg .pt", (els) =>
        els.map((e) => e.querySelector("title")?.textContent ?? ""),
      );
      expect(marks).toHaveLength(out.corpus.docs.length);
      const expected = out.corpus.docs.map(
        (d, i) => `${d.group} · cluster ${out.labels[i]} · ${d.split} ${d.id}`,
      );
      expect(marks.map((t) => t.split("\n")[0]).sort()).toEqual(expected.sort());
      // Markup in posts arrives as text (escaped in the file, decoded by the browser).
      const withMarkup = marks.filter((t) => /[<>&]/.test(t));
      expect(withMarkup.length).toBeGreaterThan(0);
      expect(await page.locator("script").count()).toBe(1);
    });

    it("highlights a cluster when its legend entry is clicked, and shows all again", async () => {
      const size = out.result.labels[0]?.size ?? 0;
      await page.click('button.lg[data-hl="c0"]');
      expect(await page.locator("svg .pt:not(.dim)").count()).toBe(size);
      await page.click('button.lg[data-hl="c0"]');
      expect(await page.locator("svg .pt.dim").count()).toBe(0);
    });

    it("renders the map at full width and saves a screenshot", async () => {
      const box = await page.locator("svg#mapsvg").boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      expect(box?.height).toBeGreaterThan(300);
      await page.mouse.move(0, 0); // no hover highlight in the picture
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)(`${TAG.chromium} HTML report of posts without labels`, () => {
  const dir = join(ARTIFACTS, "unlabelled");
  const REPORT = join(ARTIFACTS, "report-unlabelled.html");
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let url: string;
  let posts = 0;

  beforeAll(async () => {
    // The synthetic corpus through `corpus`, its labels dropped, then the CLI's own --report.
    mkdirSync(dir, { recursive: true });
    const corpus = spawnSync(process.execPath, [CLI, "corpus", "--data", fixtures().archive], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, NEWSGROUP_CLUSTER_CACHE: dir },
    });
    expect(corpus.status, corpus.stderr).toBe(0);
    const lines = corpus.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.stringify({ text: JSON.parse(l).text }));
    posts = lines.length;
    writeFileSync(join(dir, "notes.jsonl"), `${lines.join("\n")}\n`);
    rmSync(REPORT, { force: true });
    const args = ["--input", join(dir, "notes.jsonl"), "--embedder", "tfidf", "--k", "4"];
    const r = spawnSync(process.execPath, [CLI, ...args, "--report", REPORT, "--quiet"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, NEWSGROUP_CLUSTER_CACHE: dir },
    });
    expect(r.status, r.stderr).toBe(0);
    url = pathToFileURL(REPORT).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: "load" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("loads with no console errors, requests nothing, and shows the sizes, not a heatmap", async () => {
    await page.waitForTimeout(300);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator("section#sizes tbody tr").count()).toBe(4);
    expect(await page.locator("td[data-group]").count()).toBe(0);
  });

  it("draws one mark per post, coloured by cluster, and highlights a cluster on click", async () => {
    expect(await page.locator("svg .pt").count()).toBe(posts);
    expect(await page.locator('svg .pt[class*=" g"]').count()).toBe(0);
    const size = await page.locator("svg .pt.c0").count();
    expect(size).toBeGreaterThan(0);
    await page.click('button.lg[data-hl="c0"]');
    expect(await page.locator("svg .pt:not(.dim)").count()).toBe(size);
  });
});
