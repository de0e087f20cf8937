import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ALL_GROUPS } from "../src/dataset/groups.js";
import {
  buildProgram,
  type Config,
  defaultCacheDir,
  parseCategories,
  suggestGroups,
} from "../src/program.js";

async function parse(args: string[], env: Record<string, string> = {}): Promise<Config> {
  let got: Config | undefined;
  const program = buildProgram("0.0.0", env, async (c) => {
    got = c;
  });
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const c of program.commands) c.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await program.parseAsync(args, { from: "user" });
  if (got === undefined) throw new Error("no config");
  return got;
}

async function parseError(args: string[]): Promise<string> {
  let message = "";
  const program = buildProgram("0.0.0", {}, async () => {});
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => (message += s), writeOut: () => {} });
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => (message += s), writeOut: () => {} });
  }
  const err = await program.parseAsync(args, { from: "user" }).catch((e) => e);
  expect(err).toBeInstanceOf(CommanderError);
  return message;
}

describe("command line", () => {
  it("defaults match the reference notebook", async () => {
    const c = await parse([]);
    if (c.command !== "cluster") throw new Error(c.command);
    expect(c.selection).toEqual({
      categories: ["alt.atheism", "comp.graphics", "sci.space", "talk.religion.misc"],
      subset: "all",
      remove: ["headers", "footers", "quotes"],
    });
    expect(c.k).toBeUndefined();
    expect(c.format).toBe("table");
    expect(c.model).toBe("Xenova/all-MiniLM-L6-v2");
    expect(c.maxLength).toBe(256);
    expect(c.device).toBe("auto");
  });

  it("parses every option into typed values", async () => {
    const c = await parse([
      "--k",
      "7",
      "--format",
      "csv",
      "--categories",
      "sci.space,alt.atheism",
      "--subset",
      "test",
      "--remove",
      "quotes,headers",
      "--seed",
      "3",
      "--n-init",
      "2",
      "--dtype",
      "fp32",
      "--device",
      "cpu",
      "--models",
      "/m",
      "--model",
      "tiny",
      "--data",
      "/d.tgz",
      "--cache-dir",
      "/c",
      "--offline",
      "--quiet",
    ]);
    if (c.command !== "cluster") throw new Error(c.command);
    expect(c).toMatchObject({
      k: 7,
      format: "csv",
      seed: 3,
      nInit: 2,
      dtype: "fp32",
      device: "cpu",
      modelsDir: "/m",
      model: "tiny",
      data: { path: "/d.tgz", from: "--data" },
      cacheDir: "/c",
      offline: true,
      quiet: true,
    });
    expect(c.selection).toEqual({
      categories: ["alt.atheism", "sci.space"],
      subset: "test",
      remove: ["headers", "quotes"],
    });
  });

  it("reads the environment when options are absent, options win", async () => {
    const env = {
      NEWSGROUP_CLUSTER_DATA: "/env.tgz",
      NEWSGROUP_CLUSTER_CACHE: "/envcache",
      NEWSGROUP_CLUSTER_MODELS: "/envm",
    };
    const c = await parse([], env);
    expect(c.data).toEqual({ path: "/env.tgz", from: "NEWSGROUP_CLUSTER_DATA" });
    expect(c.cacheDir).toBe("/envcache");
    if (c.command === "cluster") expect(c.modelsDir).toBe("/envm");
    const d = await parse(["--data", "/opt.tgz", "--cache-dir", "/o"], env);
    expect(d.data?.from).toBe("--data");
    expect(d.cacheDir).toBe("/o");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x" }, "/home/u")).toBe("/x/newsgroup-cluster");
    expect(defaultCacheDir({}, "/home/u")).toBe("/home/u/.cache/newsgroup-cluster");
  });

  it("corpus subcommand takes the selection options", async () => {
    const c = await parse([
      "corpus",
      "--categories",
      "all",
      "--subset",
      "train",
      "--remove",
      "none",
    ]);
    expect(c.command).toBe("corpus");
    expect(c.selection.categories).toEqual([...ALL_GROUPS]);
    expect(c.selection.remove).toEqual([]);
  });

  it.each([
    [["--k", "0"], "--k must be an integer from 1 to the number of posts, got '0'"],
    [["--k", "1.5"], "got '1.5'"],
    [["--k", "abc"], "got 'abc'"],
    [["--k", "-1"], "got '-1'"],
    [["--format", "xml"], "Allowed choices are table, csv, tsv, json, markdown"],
    [["--subset", "dev"], "Allowed choices are train, test, all"],
    [["--device", "gpu"], "Allowed choices are auto, cpu, cuda"],
    [["--seed", "x"], "--seed must be an integer"],
    [["--categories", "sci.spac"], "did you mean sci.space"],
    [["--categories", ""], "--categories needs a comma-separated list"],
    [["--categories", "sci.space,sci.space"], "listed twice"],
    [
      ["--remove", "signatures"],
      "--remove takes a comma list of headers, footers, quotes, or 'none'",
    ],
    [["--bogus"], "unknown option '--bogus'"],
  ])("rejects %j with a message naming it", async (args, expected) => {
    const msg = await parseError(args);
    expect(msg).toContain(expected);
    expect(msg.trim().split("\n")).toHaveLength(1);
  });

  it("rejects model options with the model-free embedder", async () => {
    const err = await parse(["--embedder", "tfidf", "--dtype", "fp32", "--batch-size", "4"]).catch(
      (e) => e,
    );
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      "--dtype, --batch-size only apply to --embedder minilm, not --embedder tfidf",
    );
    const ok = await parse(["--embedder", "tfidf", "--k", "3"]);
    expect(ok.command === "cluster" && ok.embedder).toBe("tfidf");
  });

  it("suggests close group names", () => {
    expect(suggestGroups("space")).toContain("sci.space");
    expect(suggestGroups("comp.grafics")[0]).toBe("comp.graphics");
    expect(() => parseCategories("rec.auto")).toThrow(/rec\.autos/);
  });
});

describe("the command line as data (issue 14.3)", () => {
  it("reads every variable through one typed reader; the timeout is checked when asked for", async () => {
    const { pickEnv, readEnv } = await import("../src/env.js");
    const env = pickEnv({
      NEWSGROUP_CLUSTER_DATA_SHA256: " ABC ",
      NEWSGROUP_CLUSTER_DATA_URL: "",
      NEWSGROUP_CLUSTER_TIMEOUT_MS: "abc",
      COLUMNS: "100",
      UNRELATED: "x",
    });
    expect(Object.keys(env).sort()).toEqual([
      "COLUMNS",
      "NEWSGROUP_CLUSTER_DATA_SHA256",
      "NEWSGROUP_CLUSTER_DATA_URL",
      "NEWSGROUP_CLUSTER_TIMEOUT_MS",
    ]);
    const s = readEnv(env);
    expect(s.dataSha256).toBe("abc");
    expect(s.dataUrl).toBeUndefined();
    expect(s.columns).toBe(100);
    expect(s.timeoutMs).toThrow(/NEWSGROUP_CLUSTER_TIMEOUT_MS must be a positive integer.*'abc'/);
    expect(readEnv({}).timeoutMs()).toBe(60_000);
    expect(readEnv({ NEWSGROUP_CLUSTER_TIMEOUT_MS: "1500" }).timeoutMs()).toBe(1500);
    // A bad timeout does not fail parsing: only a download asks for it.
    const c = await parse([], { NEWSGROUP_CLUSTER_TIMEOUT_MS: "abc" });
    expect(c.download.timeoutMs).toThrow(/TIMEOUT_MS/);
  });

  it("--model <folder> becomes --models <parent> --model <name>, unless --models has that name", async () => {
    const { modelSource } = await import("../src/config.js");
    const folders = new Set(["/m/tiny-bert", "/other/tiny-bert"]);
    const host = { isModelFolder: (p: string) => folders.has(p) };
    expect(modelSource("/m/tiny-bert", undefined, host)).toEqual({
      model: "tiny-bert",
      modelsDir: "/m",
    });
    expect(modelSource("tiny-bert", "/other", host)).toEqual({
      model: "tiny-bert",
      modelsDir: "/other",
    });
    expect(modelSource("Xenova/all-MiniLM-L6-v2", undefined, host)).toEqual({
      model: "Xenova/all-MiniLM-L6-v2",
      modelsDir: undefined,
    });
  });

  it("the --dtype choices are the one list of weights, plus auto", async () => {
    const { DTYPES } = await import("../src/program.js");
    const { WEIGHT_DTYPES } = await import("../src/types.js");
    const { DTYPE_SUFFIX } = await import("../src/embed/plan.js");
    expect(DTYPES).toEqual(["auto", ...WEIGHT_DTYPES]);
    expect(Object.keys(DTYPE_SUFFIX).sort()).toEqual([...WEIGHT_DTYPES].sort());
  });
});
