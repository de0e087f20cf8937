/**
 * Whether onnxruntime-node can use CUDA here. Checked before asking onnxruntime, so that
 * `--device auto` on a CPU machine says plainly why it uses the CPU instead of printing
 * onnxruntime's native loader errors.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { deviceError } from "../errors.js";
import type { DeviceChoice } from "../types.js";

/** Folder of onnxruntime-node's native binaries for this platform. */
export function onnxruntimeBinDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve("onnxruntime-node/package.json");
    return join(dirname(pkg), "bin", "napi-v6", process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/**
 * @returns undefined when CUDA looks usable, else the reason it is not (one phrase).
 * @param probe injectable for tests.
 */
export function cudaUnavailableReason(
  probe: {
    platform: string;
    arch: string;
    exists: (p: string) => boolean;
    binDir: string | undefined;
  } = {
    platform: process.platform,
    arch: process.arch,
    exists: existsSync,
    binDir: onnxruntimeBinDir(),
  },
): string | undefined {
  if (probe.platform !== "linux" || probe.arch !== "x64") {
    return `onnxruntime-node has no CUDA build for ${probe.platform}-${probe.arch}`;
  }
  if (!probe.exists("/dev/nvidiactl") && !probe.exists("/proc/driver/nvidia/version")) {
    return "no NVIDIA GPU or driver found";
  }
  if (
    probe.binDir === undefined ||
    !probe.exists(join(probe.binDir, "libonnxruntime_providers_cuda.so"))
  ) {
    return `the CUDA provider libraries are not installed (no libonnxruntime_providers_cuda.so in ${probe.binDir ?? "onnxruntime-node"}); install them with ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js, see the README`;
  }
  return undefined;
}

/**
 * The device a run asks for, decided before anything loads: `cpu` as asked; `cuda` where it
 * looks usable; `auto` falls back to the CPU and says why in one line.
 * @throws CliError(device) when `--device cuda` cannot be honoured.
 */
export function chooseDevice(
  choice: DeviceChoice,
  log: (line: string) => void,
  reason: () => string | undefined = cudaUnavailableReason,
): "cpu" | "cuda" {
  if (choice === "cpu") return "cpu";
  const why = reason();
  if (why === undefined) return "cuda";
  if (choice === "cuda") throw deviceError(`--device cuda: ${why}`);
  log(`device auto: using CPU (${why})`);
  return "cpu";
}
