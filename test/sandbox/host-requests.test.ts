/**
 * What the host holds for a function's outgoing requests: their answers' bytes within the function's
 * memory as they arrive (not read whole and measured after), at most 64 of its requests at once
 * (the rest wait), and none left running once its environment is disposed. Each is watched from the
 * loopback server's side: the bytes it sent before the client went away, the requests it held at
 * once, the connections that closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { performFetch } from "../../src/sandbox/executor/host-fetch.js";
import { HostRequests, MAX_ENVIRONMENT_REQUESTS, type RequestMemory } from "../../src/sandbox/executor/host-requests.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { listenOnLoopback } from "../loopback.js";
import { environmentFor, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const MB = 1024 * 1024;
/** What /stream sent to each connection before it closed, and how many /slow requests were open at once. */
const sent: number[] = [];
let open = 0;
let mostOpen = 0;
let closedHangs = 0;

/** /stream?mb=N sends N MB in 64 KiB chunks as fast as the client reads; /slow answers after 30 ms; /hang never. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://x");
  if (path.pathname === "/stream") {
    const total = Number(path.searchParams.get("mb")) * MB;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let count = 0;
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.on("close", () => sent.push(count));
    const pump = () => {
      while (count < total && !res.destroyed) {
        count += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  } else if (path.pathname === "/slow") {
    open++;
    mostOpen = Math.max(mostOpen, open);
    setTimeout(() => {
      open--;
      res.end("ok");
    }, 30);
  } else req.socket.on("close", () => closedHangs++);
}

const server = createServer(handle);
let url = "";
beforeAll(async () => {
  url = await listenOnLoopback(server);
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("the host's share of a function's requests", () => {
  it("refuses an answer larger than the function's memory as it arrives, through fetch and node:http", async () => {
    const source = `const http = require('node:http');
      exports.handler = async ({ url }) => {
        const viaFetch = await fetch(url).then((r) => r.arrayBuffer()).then((b) => 'got ' + b.byteLength, (e) => String(e.cause?.message ?? e.message));
        const viaHttp = await new Promise((resolve) => {
          http.get(url, (res) => { let n = 0; res.on('data', (c) => (n += c.length)); res.on('end', () => resolve('got ' + n)); })
            .on('error', (e) => resolve(e.message));
        });
        return { viaFetch, viaHttp };
      };`;
    sent.length = 0;
    const out = resultOf(
      await invokeOnce(sandbox, { "index.js": source }, { url: `${url}/stream?mb=512` }, { memorySizeMB: 128, timeoutSeconds: 30 }),
    ) as Record<string, string>;
    expect(out.viaFetch).toMatch(/response body past \d+ bytes: .* more than its memory \(134217728 bytes\)/);
    expect(out.viaHttp).toMatch(/response body past \d+ bytes: .* more than its memory \(134217728 bytes\)/);
    // Each connection went away near the limit: the socket's buffers hold a few MB more, not 384.
    const until = Date.now() + 5000;
    while (sent.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toHaveLength(2);
    for (const count of sent) expect(count).toBeLessThan(160 * MB);
  });

  it("counts what the host holds of an answer beside what the function holds itself", async () => {
    // 96 MB of its own and a 48 MB answer: the two would pass 128 MB, so the answer is refused as it arrives.
    const source = `const kept = Buffer.alloc(96 * 1024 * 1024, 1);
      exports.handler = async ({ url }) =>
        (await fetch(url).then((r) => r.arrayBuffer()).then((b) => 'got ' + b.byteLength, (e) => String(e.cause?.message ?? e.message))) + ' ' + kept.length;`;
    const out = resultOf(
      await invokeOnce(sandbox, { "index.js": source }, { url: `${url}/stream?mb=48` }, { memorySizeMB: 128, timeoutSeconds: 30 }),
    ) as string;
    expect(out).toMatch(
      /response body past \d+ bytes: with what the function holds \(\d+ bytes, \d+ of them its requests'\), more than its memory \(134217728 bytes\) 100663296$/,
    );
  });

  it("holds the answers of concurrent requests within the function's memory together", async () => {
    // On the host's side alone (a guest holding two such answers would run out of memory itself):
    // three answers of 100 MB arriving at once pass 256 MB together before any is whole, so one
    // is refused as it arrives. Each holds its bytes until the guest has its answer or refusal.
    let used = 0;
    const memory: RequestMemory = {
      take: (delta) => {
        if (delta > 0 && used + delta > 256 * MB) return false;
        used += delta;
        return true;
      },
      get used() {
        return used;
      },
      limitBytes: 256 * MB,
    };
    const requests = new HostRequests(() => memory);
    sent.length = 0;
    const fetches = [1, 2, 3].map(() =>
      requests.run((hold, ended) => performFetch(`${url}/stream?mb=100`, "GET", "[]", undefined, Date.now() + 30_000, hold, ended)),
    );
    const settled = await Promise.all(fetches);
    const refused = settled.filter(({ result }) => result[0] !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const { result } of refused)
      expect(result[0]).toMatch(/response body past \d+ bytes: .* more than its memory \(268435456 bytes\)/);
    const whole = settled.filter(({ result }) => result[0] === undefined);
    for (const { result } of whole) expect((result[5] as ArrayBuffer).byteLength).toBe(100 * MB);
    const probe = async () => (await requests.run(async (hold) => hold.held())).result;
    expect(await probe()).toBeGreaterThanOrEqual(whole.length * 100 * MB);
    expect(await probe()).toBeLessThanOrEqual(256 * MB);
    for (const { release } of settled) release();
    expect(await probe()).toBe(0);
  });

  it(`lets a function have ${MAX_ENVIRONMENT_REQUESTS} requests under way at once, the others waiting their turn`, async () => {
    const source = `exports.handler = async ({ url }) => {
      const answers = await Promise.all(Array.from({ length: 150 }, () => fetch(url).then((r) => r.text())));
      return answers.filter((a) => a === 'ok').length;
    };`;
    mostOpen = 0;
    const out = resultOf(await invokeOnce(sandbox, { "index.js": source }, { url: `${url}/slow` }, { timeoutSeconds: 30 }));
    expect(out).toBe(150);
    expect(mostOpen).toBeGreaterThan(1);
    expect(mostOpen).toBeLessThanOrEqual(MAX_ENVIRONMENT_REQUESTS);
  });

  it("aborts a disposed environment's requests instead of leaving them to their deadline", async () => {
    // The handler answers at once and leaves its request under way, as a careless one does.
    const source = "exports.handler = async ({ url }) => { fetch(url).catch(() => {}); return 'left'; };";
    const env = await environmentFor(sandbox, { "index.js": source }, { timeoutSeconds: 60 });
    closedHangs = 0;
    expect(resultOf(await env.invoke(JSON.stringify({ url: `${url}/hang` })))).toBe("left");
    env.dispose();
    const until = Date.now() + 5000;
    while (closedHangs === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closedHangs).toBe(1);
  });
});
