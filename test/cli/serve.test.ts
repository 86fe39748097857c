import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("isolambda serve", () => {
  it("exits with a readable message when its port is taken, instead of hanging", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    const dataDir = mkdtempSync(path.join(tmpdir(), "isolambda-cli-"));
    // Not the repository's config: its doors listen on fixed ports.
    const emptyConfig = path.join(dataDir, "isolambda.config.json");
    writeFileSync(emptyConfig, "{}");
    try {
      const failed = await run(
        process.execPath,
        ["dist/cli.js", "serve", "--port", String(port), "--data-dir", dataDir, "--functions", "functions", "--config", emptyConfig],
        {
          timeout: 20_000,
        },
      ).catch((error: { code: number | string; stderr: string; killed: boolean }) => error);
      expect(failed).toMatchObject({
        code: 1,
        killed: false,
        stderr: expect.stringContaining(`EADDRINUSE: address already in use 127.0.0.1:${port}`),
      });
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
