import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Builds the synthetic corpus and the tiny model once per run (test/support).
    globalSetup: ["./test/support/global-setup.ts"],
    // The closing line names the layers skipped for want of their inputs.
    reporters: ["default", "./test/support/skip-reporter.ts"],
  },
});
