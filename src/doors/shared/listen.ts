/**
 * Every door is its own listener on its own port. A door takes every request that reaches it and
 * answers on Node's ServerResponse itself (response.ts), so it sits on node:http directly: routing
 * one catch-all route through Hono and @hono/node-server cost ~4 µs and ~5 KB of garbage per
 * request on the main thread (bench:doors), for nothing a door uses. The Lambda API stays on Hono.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendText } from "./response.js";

/** How long close() lets requests under way finish before cutting their connections. */
const CLOSE_GRACE_MS = 5000;

/** A door answers by writing to `outgoing` itself (see response.ts). */
export type DoorHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  name: string,
  handler: DoorHandler,
  port: number,
  host: string,
  log: (line: string) => void,
): Promise<Listener> {
  const server = createServer((incoming, outgoing) => {
    handler(incoming, outgoing).catch((error: unknown) => {
      // A door bug must not take the listener down; the client gets a 502 as from a broken proxy.
      log(`${name}: internal error on ${incoming.method} ${incoming.url}: ${(error as Error).stack ?? String(error)}`);
      sendText(outgoing, 502, "Bad Gateway");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        // Drain: requests under way finish (a response stream included), idle keep-alive
        // connections close now; whatever is still open after the grace period is cut.
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
