import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/install-corpus.ts"],
    // Sandbox suites start executor workers; a generous per-test bound keeps a shared 2-core machine from flaking.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    // The AWS SDK clients the tests drive warn once per process that their 2027 releases will need
    // Node 22: forty copies of that notice buried the test log (functions inside the sandbox still see it).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    // The JSON report lets .ci/run print "N passed, N failed", so a run of zero tests is visible.
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
  },
});
