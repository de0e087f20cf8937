/**
 * Shared setup of the trust-*.test.ts CLI suites (issue 9): temp folders and local servers that
 * are cleaned up after the file, a small synthetic corpus (two newsgroups, 12 posts each per
 * split, packed with packTarGz), the fixture tiny model's options, and runners for the built CLI.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { CLI, packTarGz } from "../helpers.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";
import { type CliRun, runCli, startServer, type TestServer } from "./server.js";

/**
 * Registers the suite's hooks and returns its helpers; call once at the top of a test file.
 * `archive()` and `archiveBytes()` are ready once beforeAll has run.
 */
export function trustFixture() {
  const temps: string[] = [];
  const servers: TestServer[] = [];
  const tempDir = (prefix = "ngc-trust-"): string => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    temps.push(d);
    return d;
  };
  const serve = async (handler: Parameters<typeof startServer>[0]): Promise<TestServer> => {
    const s = await startServer(handler);
    servers.push(s);
    return s;
  };
  let archive = "";
  let bytes: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
    bytes = await syntheticArchive();
    archive = join(tempDir(), "corpus.tar.gz");
    writeFileSync(archive, bytes);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir,
    serve,
    archive: () => archive,
    archiveBytes: () => bytes,
    /** The synthetic corpus, both groups, k = 2. */
    base: () => ["--data", archive, "--categories", "sci.space,rec.autos", "--k", "2"],
    run: (
      args: string[],
      env: Record<string, string> = {},
      cacheDir = tempDir(),
    ): Promise<CliRun> => runCli(args, { cacheDir, env, timeoutMs: 60_000 }),
  };
}

/** The hermetic tiny model (test/support/tiny-model.ts) on the CPU. */
export const TINY = ["--models", fixtures().models, "--model", TINY_MODEL, "--device", "cpu"];

const WORDS = {
  "sci.space": "orbit launch nasa shuttle moon rocket satellite mission",
  "rec.autos": "engine car dealer brake tire mileage sedan clutch",
};

/** 48 short posts: sci.space and rec.autos, 12 each in train and test. */
async function syntheticArchive(): Promise<Buffer> {
  const files: Record<string, string> = {};
  for (const split of ["train", "test"]) {
    for (const [group, words] of Object.entries(WORDS)) {
      for (let i = 0; i < 12; i++) {
        const body = Array.from({ length: 60 }, (_, j) => words.split(" ")[(i + j) % 8]).join(" ");
        files[`20news-bydate-${split}/${group}/${split === "train" ? 100 + i : 200 + i}`] =
          `From: someone${i}@example.com\nSubject: post ${i}\n\n${body} number ${i}\n`;
      }
    }
  }
  return packTarGz(files);
}

/** Runs a shell line in `cwd` with the CLI as "$CLI", for redirections and ulimit. */
export function sh(
  line: string,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", line], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, NEWSGROUP_CLUSTER_CACHE: cwd, CLI },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
