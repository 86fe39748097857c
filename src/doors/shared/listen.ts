/** Every door is its own listener: a Hono app on @hono/node-server, bound to the door's port. */

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Http2Bindings, type HttpBindings, serve } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
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
  const answer = async ({ incoming, outgoing }: HttpBindings) => {
    try {
      await handler(incoming, outgoing);
    } catch (error) {
      // A door bug must not take the listener down; the client gets a 502 as from a broken proxy.
      log(`${name}: internal error on ${incoming.method} ${incoming.url}: ${(error as Error).stack ?? String(error)}`);
      try {
        sendText(outgoing, 502, "Bad Gateway");
      } catch {
        // A response Node refuses to finish: the client sees the connection close, as from a broken proxy.
        outgoing.destroy();
      }
    }
    return RESPONSE_ALREADY_SENT;
  };
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.all("*", (c) => answer(c.env));
  // Hono answers HEAD by running the GET route and wrapping its result in a new Response, which
  // loses RESPONSE_ALREADY_SENT's mark (node-server then writes the headers a second time).
  // The env is HttpBindings: serve() makes a node:http server (no createServer option).
  const fetch = (request: Request, env: HttpBindings | Http2Bindings) =>
    request.method === "HEAD" ? answer(env as HttpBindings) : app.fetch(request, env);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }, () => resolve(s as Server));
    s.once("error", reject);
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
