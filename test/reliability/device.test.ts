/**
 * Device choice: `--device cuda` where CUDA is not usable fails with exit 6 and says why;
 * `--device auto` falls back to the CPU with one note; `cudaUnavailableReason` on every branch.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cudaUnavailableReason } from "../../src/embed/device.js";
import { CLI } from "../helpers.js";
import { FIXTURE_COUNTS } from "../support/corpus.js";
import { fixtures } from "../support/fixtures.js";
import { TINY_MODEL } from "../support/tiny-model.js";
import { listTree, runCli, said } from "./server.js";

/** Why CUDA is unusable on this machine, as the CLI will see it; undefined on a CUDA machine. */
const reason = cudaUnavailableReason();
const noGpu = !existsSync("/dev/nvidiactl") && !existsSync("/proc/driver/nvidia/version");

let cache: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  cache = mkdtempSync(join(tmpdir(), "ngc-dev-"));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const ARGS = [
  ...["--data", fixtures().archive, "--categories", "sci.space", "--subset", "test", "--k", "2"],
  ...["--models", fixtures().models, "--model", TINY_MODEL, "--format", "csv", "--no-cache"],
];

describe("the CLI on a machine without a GPU", { timeout: 30_000 }, () => {
  it.skipIf(!noGpu)("--device cuda: exit 6, one line saying there is no GPU", async () => {
    expect(reason).toBe("no NVIDIA GPU or driver found");
    const r = await runCli([...ARGS, "--device", "cuda"], { cacheDir: cache });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(said(r.stderr)).toEqual([
      "newsgroup-cluster: error: --device cuda: no NVIDIA GPU or driver found",
    ]);
    expect(listTree(cache)).toEqual([]);
  });

  it.skipIf(!noGpu)("--device auto: exit 0, one line saying it uses the CPU and why", async () => {
    const args = ARGS.map((a) => (a === "csv" ? "json" : a));
    const r = await runCli([...args, "--device", "auto"], { cacheDir: cache });
    expect(r.code).toBe(0);
    expect(said(r.stderr)).toEqual([
      "newsgroup-cluster: device auto: using CPU (no NVIDIA GPU or driver found)",
    ]);
    const doc = JSON.parse(r.stdout);
    expect(doc.config.device).toBe("cpu");
    expect(doc.config.dtype).toBe("q8"); // auto dtype on the CPU
    expect(doc.counts.posts).toBe(FIXTURE_COUNTS["sci.space"]?.test);
    expect(listTree(cache)).toEqual([]);
  });

  it("--device gpu is a usage error (exit 2) naming the allowed values", async () => {
    const r = await runCli([...ARGS, "--device", "gpu"], { cacheDir: cache });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("auto, cpu, cuda");
  });
});

describe("cudaUnavailableReason (injected probe)", () => {
  const BIN = "/ort/bin/napi-v6/linux/x64";
  const probe = (over: {
    platform?: string;
    arch?: string;
    files?: string[];
    binDir?: string | undefined;
  }) => {
    const files = new Set(over.files ?? []);
    const seen: string[] = [];
    return {
      seen,
      probe: {
        platform: over.platform ?? "linux",
        arch: over.arch ?? "x64",
        exists: (p: string) => {
          seen.push(p);
          return files.has(p);
        },
        binDir: "binDir" in over ? over.binDir : BIN,
      },
    };
  };
  const CUDA_LIB = join(BIN, "libonnxruntime_providers_cuda.so");

  it.each([
    ["darwin", "arm64"],
    ["win32", "x64"],
    ["linux", "arm64"],
  ])("%s-%s: no CUDA build, and no file is probed", (platform, arch) => {
    const p = probe({ platform, arch, files: ["/dev/nvidiactl", CUDA_LIB] });
    expect(cudaUnavailableReason(p.probe)).toBe(
      `onnxruntime-node has no CUDA build for ${platform}-${arch}`,
    );
    expect(p.seen).toEqual([]);
  });

  it("linux-x64 without /dev/nvidiactl or /proc/driver/nvidia/version: no GPU or driver", () => {
    const p = probe({ files: [CUDA_LIB] });
    expect(cudaUnavailableReason(p.probe)).toBe("no NVIDIA GPU or driver found");
    expect(p.seen).toEqual(["/dev/nvidiactl", "/proc/driver/nvidia/version"]);
  });

  it.each([["/dev/nvidiactl"], ["/proc/driver/nvidia/version"]])(
    "driver (%s) but no provider libraries: names the missing library and the fix",
    (driver) => {
      const reasonText = cudaUnavailableReason(probe({ files: [driver] }).probe);
      expect(reasonText).toBe(
        `the CUDA provider libraries are not installed (no libonnxruntime_providers_cuda.so in ${BIN}); install them with ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js, see the README`,
      );
    },
  );

  it("driver but onnxruntime-node not found: says so", () => {
    const p = probe({ files: ["/dev/nvidiactl", CUDA_LIB], binDir: undefined });
    expect(cudaUnavailableReason(p.probe)).toMatch(
      /^the CUDA provider libraries are not installed \(no libonnxruntime_providers_cuda\.so in onnxruntime-node\)/,
    );
  });

  it("driver and provider libraries present: undefined (CUDA usable)", () => {
    expect(cudaUnavailableReason(probe({ files: ["/dev/nvidiactl", CUDA_LIB] }).probe)).toBe(
      undefined,
    );
    expect(
      cudaUnavailableReason(probe({ files: ["/proc/driver/nvidia/version", CUDA_LIB] }).probe),
    ).toBe(undefined);
  });

  it("the default probe agrees with this machine", () => {
    if (noGpu) expect(reason).toBe("no NVIDIA GPU or driver found");
    else expect(reason === undefined || reason.startsWith("the CUDA provider")).toBe(true);
  });
});
