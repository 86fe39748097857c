/** Loopback HTTP servers the tests stand up beside isolambda: origins for functions to call, and gates. */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** Listens on an ephemeral loopback port; resolves with the base URL (`http://127.0.0.1:port`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback port nothing listens on: one bound, then released. */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  const { port } = new URL(await listenOnLoopback(server));
  await closeServer(server);
  return Number(port);
}

/** A loopback origin for the suite's tests: listening before the first, closed after the last. */
export function useOrigin(handler: RequestListener): { readonly url: string } {
  const server = createServer(handler);
  let url = "";
  beforeAll(async () => {
    url = await listenOnLoopback(server);
  });
  afterAll(() => closeServer(server));
  return {
    get url() {
      return url;
    },
  };
}

/**
 * A door a function's handler knocks on (`await fetch(gate.url)`) to say it is running, and that
 * holds it there while the test looks, so that "while the handler runs" is an event, not a guess
 * at how long it takes.
 */
export interface Gate {
  readonly url: string;
  /** Requests held now: handlers waiting at the gate. */
  readonly held: number;
  /** Holds every request from now on, until `open`. */
  close(): void;
  /** Answers the held requests, and every later one at once until `close`. */
  open(): void;
}

/** A gate for the suite, open at first. */
export function useGate(): Gate {
  const waiting: Array<() => void> = [];
  let closed = false;
  let url = "";
  const server = createServer((_req, res) => {
    const answer = () => res.writeHead(204).end();
    if (closed) waiting.push(answer);
    else answer();
  });
  const gate: Gate = {
    get url() {
      return url;
    },
    get held() {
      return waiting.length;
    },
    close() {
      closed = true;
    },
    open() {
      closed = false;
      for (const answer of waiting.splice(0)) answer();
    },
  };
  beforeAll(async () => {
    url = await listenOnLoopback(server);
  });
  afterAll(() => {
    // A held request would keep the server from closing.
    gate.open();
    return closeServer(server);
  });
  return gate;
}
