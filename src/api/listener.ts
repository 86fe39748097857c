/**
 * The Lambda API's port, which SQS shares. It is bound before the rest of the server is built, so
 * the endpoint functions reach isolambda at is known to every environment from the start, and it
 * serves once the API is built on it.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Closing, Service } from "../service.js";

export interface ApiListener extends Closing {
  /** The server's URL as the startup banner and clients name it. */
  url: string;
  /** Where functions reach the APIs: on loopback when the server listens on every address. */
  endpointUrl: string;
  /** Answers requests from now on; until then, none is read. */
  serve(listener: RequestListener): void;
  /** Stops accepting, and waits for the requests being answered. */
  close(): Promise<void>;
}

export const apiListener: Service<{ port: number; host: string }, ApiListener> = {
  async start({ port, host }) {
    const server = await new Promise<Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(port, host, () => resolve(s));
    });
    const bound = (server.address() as AddressInfo).port;
    const named = host.includes(":") ? `[${host}]` : host;
    const reachable = ["0.0.0.0", "::"].includes(host) ? "127.0.0.1" : named;
    return {
      url: `http://${named}:${bound}`,
      endpointUrl: `http://${reachable}:${bound}`,
      serve: (listener) => server.on("request", listener),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};
