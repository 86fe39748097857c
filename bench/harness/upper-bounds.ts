/** Upper bounds: node:http and bare Hono answering the hello JSON, with no function behind them. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { load } from "../load.js";
import { throughputFigures } from "./figures.js";
import { ANSWER, EVENT } from "./hello.js";
import type { Row, Settings, Step } from "./types.js";

export async function upperBounds(settings: Settings, step: Step): Promise<Row[]> {
  const http = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(ANSWER));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const hono = serve({
    fetch: new Hono().post("/hello", (c) => c.body(ANSWER, 200, { "content-type": "application/json" })).fetch,
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise((resolve) => hono.once("listening", resolve));
  const options = { seconds: settings.seconds, connections: settings.connections, body: EVENT };
  try {
    step("upper bound: node:http");
    const node = await load(`http://127.0.0.1:${(http.address() as AddressInfo).port}/hello`, options);
    step("upper bound: bare Hono");
    const bare = await load(`http://127.0.0.1:${(hono.address() as AddressInfo).port}/hello`, options);
    return [
      {
        id: "node-http",
        group: "upper bound",
        label: "node:http, same JSON",
        kind: "throughput",
        ...throughputFigures(node),
      },
      {
        id: "hono",
        group: "upper bound",
        label: "bare Hono, same JSON",
        kind: "throughput",
        ...throughputFigures(bare),
        ratio: { to: "node-http", value: bare.rps / node.rps },
      },
    ];
  } finally {
    http.close();
    hono.close();
  }
}
