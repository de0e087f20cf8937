/**
 * The install: `npm ci` must work with only the npm registry and print no npm config warnings
 * (an unknown key in the project's .npmrc makes npm 11 warn on every command).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

describe("install", () => {
  it("npm reads the project's config without warnings", () => {
    const env = { ...process.env };
    // npm passes its config down to scripts as npm_config_*; the check must see the project alone.
    for (const key of Object.keys(env))
      if (key.toLowerCase().startsWith("npm_config_")) delete env[key];
    delete env.ONNXRUNTIME_NODE_INSTALL;
    const out = spawnSync("npm", ["config", "get", "registry"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
    expect(out.status).toBe(0);
    expect(out.stderr).not.toMatch(/Unknown (project|env|user|global) config/);
  });

  it("denies onnxruntime-node's NuGet download in allowScripts, where npm honours it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      allowScripts?: Record<string, boolean>;
    };
    expect(pkg.allowScripts?.["onnxruntime-node"]).toBe(false);
    // The CPU build ships inside the package: nothing needs downloading for the CPU path.
    const bin = join(ROOT, "node_modules", "onnxruntime-node", "bin", "napi-v6", "linux", "x64");
    if (process.platform === "linux" && process.arch === "x64") {
      expect(execFileSync("ls", [bin], { encoding: "utf8" })).toContain("onnxruntime_binding.node");
    }
  });
});
