/** The running server as one ordered start and one reverse close, through startServer and real sockets on loopback. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { startServer } from "../../src/server.js";

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "isolambda-lifecycle-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A loopback port held by another listener. */
async function holdPort(): Promise<{ port: number; holder: Server }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const address = holder.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, holder };
}

/** Whether a port on loopback takes a listener now (nothing else holds it). */
async function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  const free = await new Promise<boolean>((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
}

describe("the server's lifetime", () => {
  it("closes once however often close is called, and frees its port and its doors' ports", async () => {
    const doors = parseConfig({ doors: [{ type: "url", port: 0, target: "nothing" }] }).doors;
    const server = await startServer({ port: 0, host: "127.0.0.1", dataDir: dataDir(), executors: 1, doors });
    const ports = [server.url, server.doors[0]?.url ?? ""].map((url) => Number(new URL(url).port));
    expect((await fetch(`${server.url}/2015-03-31/functions`)).status).toBe(200);
    expect(server.alive).toBe(true);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    expect(server.alive).toBe(false);
    for (const port of ports) expect(await isFree(port)).toBe(true);
  });

  it("closes at the end of an `await using` block", async () => {
    let port = 0;
    {
      await using server = await startServer({ port: 0, host: "127.0.0.1", dataDir: dataDir(), executors: 1 });
      port = Number(new URL(server.url).port);
      expect(await isFree(port)).toBe(false);
    }
    expect(await isFree(port)).toBe(true);
  });

  it("fails to start when a door's port is taken, leaving the API's port and the data dir free for the next start", async () => {
    const api = await holdPort();
    await new Promise<void>((resolve) => api.holder.close(() => resolve()));
    const { port, holder } = await holdPort();
    const dir = dataDir();
    try {
      const doors = parseConfig({ doors: [{ type: "url", port, target: "nothing" }] }).doors;
      await expect(startServer({ port: api.port, host: "127.0.0.1", dataDir: dir, executors: 1, doors })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      holder.close();
    }
    expect(await isFree(api.port)).toBe(true);
    const again = await startServer({ port: api.port, host: "127.0.0.1", dataDir: dir, executors: 1 });
    expect((await fetch(`${again.url}/2015-03-31/functions`)).status).toBe(200);
    await again.close();
  });
});
