import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";
import { invoke } from "./deploy.js";

const api = useServer();

/** An SQS batch of three records, the second a poison message. */
const SQS_EVENT = {
  Records: ["1", "poison", "3"].map((body, i) => ({
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body: JSON.stringify({ n: body }),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1710000000000",
      SenderId: "x",
      ApproximateFirstReceiveTimestamp: "1710000000000",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:corpus",
    awsRegion: "us-east-1",
  })),
};

/** Metrics' EMF line: what CloudWatch would read from the function's log. */
const METRICS: CorpusCase = {
  name: "corpus-pt-metrics",
  packages: ["@aws-lambda-powertools/metrics"],
  environment: { POWERTOOLS_SERVICE_NAME: "orders", POWERTOOLS_METRICS_NAMESPACE: "corpus" },
  event: { orders: 3 },
  files: {
    "index.mjs": `
      import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
      const metrics = new Metrics({ defaultDimensions: { stage: "test" } });
      export const handler = async (event) => {
        metrics.addDimension("region", "eu");
        metrics.addMetric("ordersPlaced", MetricUnit.Count, event.orders);
        metrics.addMetric("latency", MetricUnit.Milliseconds, 12.5);
        metrics.addMetadata("batch", "b-1");
        metrics.publishStoredMetrics();
        return { published: true };
      };`,
  },
  check: (out) => expect(out).toEqual({ published: true }),
};

const CASES: CorpusCase[] = [
  METRICS,
  {
    name: "corpus-pt-batch",
    packages: ["@aws-lambda-powertools/batch"],
    event: SQS_EVENT,
    files: {
      "index.mjs": `
        import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
        const processor = new BatchProcessor(EventType.SQS);
        const done = [];
        const recordHandler = async (record) => {
          const { n } = JSON.parse(record.body);
          if (n === "poison") throw new Error("cannot process " + record.messageId);
          done.push(n);
          return n;
        };
        export const handler = async (event, context) => {
          done.length = 0;
          const response = await processPartialResponse(event, recordHandler, processor, { context });
          return { response, done: [...done], errors: processor.errors.map((e) => e.message) };
        };`,
    },
    check: (out) => {
      expect(out.response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
      expect(out.done.sort()).toEqual(["1", "3"]);
      expect(out.errors).toEqual(["cannot process m-1"]);
    },
  },
  {
    name: "corpus-pt-idempotency",
    packages: ["@aws-lambda-powertools/idempotency"],
    // The same order id again, even with another total, gets the first answer back without running again.
    event: {
      orders: [
        { id: "o-1", total: 5 },
        { id: "o-2", total: 7 },
        { id: "o-1", total: 5 },
        { id: "o-1", total: 6 },
      ],
    },
    files: {
      "index.mjs": `
        import { makeIdempotent, IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
        import { CachePersistenceLayer } from "@aws-lambda-powertools/idempotency/cache";
        // An in-memory stand-in for the Redis/Valkey client the cache persistence layer takes (GET, SET with EX/NX, DEL).
        const entries = new Map();
        const client = {
          async get(key) { return entries.get(key) ?? null; },
          async set(key, value, options = {}) { if (options.NX && entries.has(key)) return null; entries.set(key, value); return "OK"; },
          async del(keys) { for (const key of keys) entries.delete(key); return keys.length; },
        };
        const persistenceStore = new CachePersistenceLayer({ client });
        let executions = 0;
        const charge = makeIdempotent(async (order) => ({ charged: order.total, run: ++executions }), {
          persistenceStore,
          config: new IdempotencyConfig({ eventKeyJmesPath: "id" }),
        });
        export const handler = async (event, context) => {
          const results = [];
          for (const order of event.orders) {
            try { results.push(await charge(order, context)); } catch (e) { results.push({ error: e.name }); }
          }
          return { results, executions, stored: entries.size };
        };`,
    },
    check: (out) => {
      expect(out.results).toEqual([
        { charged: 5, run: 1 },
        { charged: 7, run: 2 },
        { charged: 5, run: 1 },
        { charged: 5, run: 1 },
      ]);
      expect(out.executions).toBe(2);
      expect(out.stored).toBe(2);
    },
  },
  {
    name: "corpus-pt-parameters",
    packages: ["@aws-lambda-powertools/parameters"],
    event: {},
    files: {
      "index.mjs": `
        import { BaseProvider } from "@aws-lambda-powertools/parameters/base";
        // A provider of its own (Powertools' documented extension point), so no SSM or Secrets Manager client is needed.
        class TableProvider extends BaseProvider {
          constructor(table) { super({}); this.table = table; this.reads = 0; }
          async _get(name) { this.reads++; if (!(name in this.table)) throw new Error("no parameter " + name); return this.table[name]; }
          async _getMultiple(path) { this.reads++; return Object.fromEntries(Object.entries(this.table).filter(([k]) => k.startsWith(path)).map(([k, v]) => [k.slice(path.length), v])); }
        }
        const provider = new TableProvider({ "/app/db": '{"host":"db.local","port":5432}', "/app/flag.json": "true", "/app/secret.binary": "aGVsbG8=" });
        export const handler = async () => {
          const db = await provider.get("/app/db", { transform: "json", maxAge: 60 });
          const again = await provider.get("/app/db", { transform: "json", maxAge: 60 });
          const fresh = await provider.get("/app/db", { transform: "json", forceFetch: true });
          const all = await provider.getMultiple("/app/", { transform: "auto", throwOnTransformError: false });
          let missing;
          try { await provider.get("/app/none"); } catch (e) { missing = { name: e.name, message: e.message }; }
          return { db, cached: db === again, fresh, all, missing, reads: provider.reads };
        };`,
    },
    check: (out) => {
      expect(out.db).toEqual({ host: "db.local", port: 5432 });
      expect(out.cached).toBe(true);
      // "auto" transforms by the name's suffix: .json parsed, .binary base64-decoded, others kept.
      expect(out.all).toEqual({ db: '{"host":"db.local","port":5432}', "flag.json": true, "secret.binary": "hello" });
      expect(out.missing).toEqual({ name: "GetParameterError", message: "no parameter /app/none" });
      expect(out.reads).toBe(4);
    },
  },
  {
    name: "corpus-pt-tracer",
    packages: ["@aws-lambda-powertools/tracer"],
    environment: { POWERTOOLS_SERVICE_NAME: "orders" },
    event: { id: 7 },
    // The segments go to the X-Ray daemon, which Node's run has not: its tracer is disabled outside Lambda.
    compareWithNode: false,
    files: {
      "index.mjs": `
        import { Tracer } from "@aws-lambda-powertools/tracer";
        const tracer = new Tracer();
        // Manual instrumentation, as Powertools documents it for code without decorators.
        const find = async (id) => {
          const parent = tracer.getSegment();
          const sub = parent?.addNewSubsegment("### find");
          if (sub) tracer.setSegment(sub);
          try { tracer.putAnnotation("orderId", id); return { id, found: true }; } finally { sub?.close(); if (parent) tracer.setSegment(parent); }
        };
        export const handler = async (event) => {
          const segment = tracer.getSegment();
          const handlerSegment = segment?.addNewSubsegment("## index.handler");
          if (handlerSegment) tracer.setSegment(handlerSegment);
          tracer.annotateColdStart();
          tracer.addServiceNameAnnotation();
          try {
            const order = await find(event.id);
            tracer.addResponseAsMetadata(order, "index.handler");
            return { order, enabled: tracer.isTracingEnabled(), traced: handlerSegment !== undefined };
          } finally {
            handlerSegment?.close();
            if (segment) tracer.setSegment(segment);
          }
        };`,
    },
    check: (out) => expect(out).toEqual({ order: { id: 7, found: true }, enabled: true, traced: true }),
  },
];

describe("Powertools for AWS Lambda inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
});

describe("Powertools metrics' output", () => {
  it("is one EMF line in the function's log, as CloudWatch reads it", async () => {
    const out = await invoke(api, METRICS.name, { orders: 4 });
    const line = out.logTail.split("\n").find((l) => l.startsWith('{"_aws"'));
    expect(line).toBeDefined();
    const emf = JSON.parse(line ?? "{}");
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "corpus",
        Dimensions: [["service", "stage", "region"]],
        Metrics: [
          { Name: "ordersPlaced", Unit: "Count" },
          { Name: "latency", Unit: "Milliseconds" },
        ],
      },
    ]);
    expect(emf).toMatchObject({ service: "orders", stage: "test", region: "eu", ordersPlaced: 4, latency: 12.5, batch: "b-1" });
  });
});
