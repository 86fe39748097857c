import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";
import { invoke } from "./deploy.js";

const api = useServer();

/** The logger's JSON lines in the invocation's log, whatever prefix the runtime gave them. */
function jsonLines(logTail: string): Record<string, unknown>[] {
  return logTail
    .split("\n")
    .filter((line) => line.includes("{") && !line.startsWith("REPORT"))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>);
}

// Each handler also returns what it wrote, so the answer is compared with Node's; the log is checked below.
const CASES: CorpusCase[] = [
  {
    name: "corpus-pino",
    packages: ["pino"],
    event: { orderId: 7 },
    files: {
      "index.js": `
        const pino = require("pino");
        // Lambda's default: JSON to standard output, one line a record.
        const logger = pino({ level: "debug", base: { service: "orders" }, timestamp: false, redact: ["card"] });
        const captured = [];
        const memory = pino({ base: null, timestamp: false }, { write: (line) => captured.push(JSON.parse(line)) });
        exports.handler = async (event) => {
          const child = logger.child({ orderId: event.orderId });
          child.info({ card: "4111" }, "charging %s", "now");
          child.debug("debug line");
          child.error(new TypeError("declined"), "charge failed");
          memory.child({ orderId: event.orderId }).warn({ total: 5 }, "to memory");
          return { captured, level: logger.level, levels: logger.levels.values.error };
        };`,
    },
    check: (out) => {
      expect(out.captured).toEqual([{ level: 40, orderId: 7, total: 5, msg: "to memory" }]);
      expect(out.level).toBe("debug");
      expect(out.levels).toBe(50);
    },
  },
  {
    name: "corpus-winston",
    packages: ["winston"],
    event: { orderId: 7 },
    files: {
      "index.js": `
        const winston = require("winston");
        const { Writable } = require("node:stream");
        const captured = [];
        // A stack's text names the file's place on each machine: the record says only that it has one.
        const memory = new winston.transports.Stream({ stream: new Writable({ write(chunk, _enc, done) {
          const { stack, ...record } = JSON.parse(chunk);
          captured.push({ ...record, hasStack: stack !== undefined });
          done();
        } }) });
        const logger = winston.createLogger({
          level: "debug",
          format: winston.format.combine(winston.format.errors({ stack: false }), winston.format.splat(), winston.format.json()),
          defaultMeta: { service: "orders" },
          transports: [new winston.transports.Console(), memory],
        });
        exports.handler = async (event) => {
          captured.length = 0;
          const child = logger.child({ orderId: event.orderId });
          child.info("charging %s", "now", { total: 5 });
          child.debug("debug line");
          child.error(new TypeError("declined"));
          logger.log({ level: "warn", message: "plain" });
          await new Promise((resolve) => setImmediate(resolve));
          return { captured };
        };`,
    },
    check: (out) => {
      expect(out.captured).toEqual([
        { level: "info", message: "charging now", total: 5, service: "orders", orderId: 7, hasStack: false },
        { level: "debug", message: "debug line", service: "orders", orderId: 7, hasStack: false },
        { level: "error", message: "declined", service: "orders", orderId: 7, hasStack: true },
        { level: "warn", message: "plain", service: "orders", hasStack: false },
      ]);
    },
  },
];

describe("pino and winston inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
  it("pino writes its JSON lines to the function's log, the card redacted", async () => {
    const lines = jsonLines((await invoke(api, "corpus-pino", { orderId: 8 })).logTail);
    expect(lines).toEqual([
      { level: 30, service: "orders", orderId: 8, card: "[Redacted]", msg: "charging now" },
      { level: 20, service: "orders", orderId: 8, msg: "debug line" },
      expect.objectContaining({
        level: 50,
        service: "orders",
        orderId: 8,
        msg: "charge failed",
        err: expect.objectContaining({ type: "TypeError", message: "declined" }),
      }),
    ]);
  });
  it("winston's Console transport writes its JSON lines to the function's log", async () => {
    const lines = jsonLines((await invoke(api, "corpus-winston", { orderId: 8 })).logTail);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ["info", "charging now"],
      ["debug", "debug line"],
      ["error", "declined"],
      ["warn", "plain"],
    ]);
  });
});
