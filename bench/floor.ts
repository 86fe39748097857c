/**
 * The floor of isolambda's design, for the benchmarks to measure next to the real thing: the same
 * pieces in the same places (node:http or a door's Hono listener on the main thread, the ring, one
 * executor worker running the hello handler in QuickJS through the FFI hot path) and nothing else:
 * no registry, pool, concurrency, logs, metrics, trace ids or Lambda context. Bare Hono against the
 * floor is what the design costs; the floor against isolambda is what its features cost.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MessageChannel, Worker } from "node:worker_threads";
import { listen } from "../dist/doors/shared/listen.js";
import { send } from "../dist/doors/shared/response.js";
import { newRing, RingReader, RingWriter } from "../dist/sandbox/shared/ring.js";

/** The worker: an async handler like functions/hello, called with the event's JSON, its result read back. */
const workerSource = (urls: Record<string, string>) => `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const { default: variant } = await import(${JSON.stringify(urls.variant)});
  const { newQuickJSWASMModuleFromVariant } = await import(${JSON.stringify(urls.core)});
  const { RingReader, RingWriter } = await import(${JSON.stringify(urls.ring)});
  const { HotCalls } = await import(${JSON.stringify(urls.hot)});
  const { toWorker, fromWorker, port } = workerData;
  const ctx = (await newQuickJSWASMModuleFromVariant(variant)).newContext();
  ctx.evalCode(\`
    const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ message: "hello " + (event?.name ?? "world") }) });
    globalThis.box = { value: "" };
    globalThis.invoke = (text) => { handler(JSON.parse(text), {}).then((result) => { box.value = JSON.stringify(result); }); };
  \`).unwrap().dispose();
  const invoke = ctx.getProp(ctx.global, "invoke");
  const box = ctx.getProp(ctx.global, "box");
  const hot = new HotCalls(ctx);
  const out = new RingWriter(fromWorker, port);
  port.on("message", () => {});
  new RingReader(toWorker, port, (id, event) => {
    hot.callWithString(invoke, event)?.dispose();
    hot.executePendingJobs()?.dispose();
    const value = ctx.getProp(box, "value");
    out.write(id, ctx.getString(value));
    value.dispose();
  });
  parentPort.postMessage("ready");
})();
`;

export interface Floor {
  /** POST the event: node:http reads it and answers the handler's result, as the Invoke API does. */
  invokeUrl: string;
  /** GET: a door's Hono listener builds a minimal ALB event and answers the result's body. */
  albUrl: string;
  close(): Promise<void>;
}

export async function startFloor(): Promise<Floor> {
  const toWorker = newRing();
  const fromWorker = newRing();
  const channel = new MessageChannel();
  const urls = {
    variant: import.meta.resolve("@jitl/quickjs-wasmfile-release-sync"),
    core: import.meta.resolve("quickjs-emscripten-core"),
    ring: new URL("../dist/sandbox/shared/ring.js", import.meta.url).href,
    hot: new URL("../dist/sandbox/executor/quickjs-hot.js", import.meta.url).href,
  };
  const worker = new Worker(workerSource(urls), {
    eval: true,
    workerData: { toWorker, fromWorker, port: channel.port2 },
    transferList: [channel.port2],
  });
  await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const writer = new RingWriter(toWorker, channel.port1);
  const waiting = new Map<string, (result: string) => void>();
  let next = 0;
  const reader = new RingReader(fromWorker, channel.port1, (id, result) => {
    waiting.get(id)?.(result as string);
    waiting.delete(id);
  });
  const invoke = (event: string, answer: (result: string) => void) => {
    const id = String(next++);
    waiting.set(id, answer);
    writer.write(id, event);
  };

  const api: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () =>
      invoke(Buffer.concat(chunks).toString(), (result) => send(res, 200, { "content-type": "application/json" }, result)),
    );
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  const door = await listen(
    "floor",
    (incoming, outgoing) =>
      new Promise<void>((resolve) => {
        const headers: Record<string, string> = {};
        const raw = incoming.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] = raw[i + 1] as string;
        const url = incoming.url ?? "/";
        const query = url.indexOf("?");
        const event = {
          requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/floor/0" } },
          httpMethod: incoming.method,
          path: query < 0 ? url : url.slice(0, query),
          queryStringParameters: {},
          headers,
          body: "",
          isBase64Encoded: false,
        };
        incoming.resume();
        invoke(JSON.stringify(event), (result) => {
          const { statusCode, body } = JSON.parse(result) as { statusCode: number; body: string };
          send(outgoing, statusCode, { "content-type": "application/json" }, body);
          resolve();
        });
      }),
    0,
    "127.0.0.1",
    () => {},
  );

  return {
    invokeUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}/2015-03-31/functions/hello/invocations`,
    albUrl: `${door.url}/data`,
    async close() {
      await door.close();
      await new Promise((resolve) => api.close(resolve));
      reader.close();
      writer.close();
      channel.port1.close();
      await worker.terminate();
    },
  };
}
