/**
 * Model download of the tiny fixture model from a Hugging Face-style server on 127.0.0.1 (the
 * Hub itself is unreachable here): first run downloads into the cache, an --offline run then needs no server, and a model
 * the server lacks fails with the model exit code.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";

let server: Server;
let endpoint: string;
const requests: string[] = [];
let cache: string;

beforeAll(async () => {
  cache = mkdtempSync(join(tmpdir(), "ngc-hub-"));
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const m = /^\/([^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? "");
    const file = m
      ? join(
          fixtures().models,
          decodeURIComponent(m[1] as string),
          decodeURIComponent(m[2] as string),
        )
      : "";
    if (m && m[1] === TINY_MODEL && existsSync(file)) {
      const body = readFileSync(file);
      res.writeHead(200, {
        "content-length": body.length,
        "content-type": "application/octet-stream",
      });
      res.end(body);
    } else {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(cache, { recursive: true, force: true });
});

function cli(
  args: string[],
  hub = endpoint,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: cache, NEWSGROUP_CLUSTER_HF_ENDPOINT: hub },
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

const RUN = [
  "--categories",
  "sci.space",
  "--subset",
  "test",
  "--k",
  "2",
  "--format",
  "csv",
  "--no-cache",
];
const BASE = [...RUN, "--data", fixtures().archive, "--cache-dir"];

describe("model download from a Hub mirror (NEWSGROUP_CLUSTER_HF_ENDPOINT)", () => {
  it("downloads into the cache, then runs --offline from it without the server", async () => {
    const first = await cli([...BASE, cache, "--model", TINY_MODEL, "--dtype", "q8"]);
    expect(first.stderr).not.toContain("error");
    expect(first.code).toBe(0);
    expect(requests.some((u) => u.endsWith("/onnx/model_quantized.onnx"))).toBe(true);
    expect(requests.some((u) => u.endsWith("/tokenizer.json"))).toBe(true);
    // The layout the real-weights test looks for (support/layers.ts, realModelArgs).
    expect(existsSync(join(cache, "models", TINY_MODEL, "onnx", "model_quantized.onnx"))).toBe(
      true,
    );
    const seen = requests.length;
    const offline = await cli([
      ...BASE,
      cache,
      "--model",
      TINY_MODEL,
      "--dtype",
      "q8",
      "--offline",
    ]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toBe(first.stdout);
    expect(requests.length).toBe(seen); // nothing asked of the server
  }, 60_000);

  it("a model the server lacks fails with exit 4 and one line", async () => {
    const r = await cli([...BASE, cache, "--model", "no-such/model"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no-such/model");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("a refused connection fails with the network exit code", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const empty = mkdtempSync(join(tmpdir(), "ngc-hub-refused-"));
    const r = await cli([...BASE, empty, "--model", TINY_MODEL], `http://127.0.0.1:${port}/`);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`cannot download model ${TINY_MODEL}`);
    expect(r.stderr).toContain("ECONNREFUSED");
    expect(r.stderr).toContain("(offline? pass --models <dir>");
    rmSync(empty, { recursive: true, force: true });
  }, 60_000);

  it("--offline with an empty cache names the model and the way out", async () => {
    const empty = mkdtempSync(join(tmpdir(), "ngc-hub-empty-"));
    const seen = requests.length;
    const r = await cli([...BASE, empty, "--model", TINY_MODEL, "--offline"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("--offline forbids downloading it; pass --models <dir>");
    expect(requests.length).toBe(seen);
    rmSync(empty, { recursive: true, force: true });
  }, 60_000);
});
