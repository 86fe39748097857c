/**
 * EventEmitter's emit and once, and process.nextTick's queue, against the host's Node: each source
 * runs in the handler and in a child Node (node-twin.ts), and the answers must be the same. The
 * orders compared are those the sandbox's tick queue keeps as Node does: ticks in the order queued,
 * a tick's own ticks ahead of the promise jobs it queued, and the ticks of a callback of the loop
 * ahead of a promise job queued between them. (Ticks queued by a promise job run after the promise
 * jobs in Node, and here in their own job queued then: those orders differ.)
 */
import { describe, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const both = (body: string) =>
  answersAsNode(sandbox, {
    "index.js": `${FAILURE_SOURCE}
const { EventEmitter, errorMonitor } = require("node:events");
const { AsyncLocalStorage } = require("node:async_hooks");
const turn = () => new Promise((resolve) => setImmediate(resolve));
exports.handler = async () => {${body}};`,
  });

describe("EventEmitter", () => {
  it("calls listeners with the emit's own arguments, as many as given, in order, over a copy of the list", async () => {
    await both(`
      const e = new EventEmitter();
      const seen = [];
      const record = (name) => function (...args) { seen.push([name, this === e, arguments.length, args]); };
      const removed = record("removed");
      e.on("x", record("first"));
      e.on("x", function () { seen.push(["second"]); e.removeListener("x", removed); e.on("x", record("added")); });
      e.on("x", removed);
      const counts = [e.emit("x"), e.emit("x", 1), e.emit("x", 1, undefined), e.emit("x", 1, 2, 3), e.emit("x", 1, 2, 3, 4, 5)];
      const one = new EventEmitter();
      one.on("y", record("only"));
      counts.push(one.emit("y"), one.emit("y", "a", "b"), one.emit("y", "a", "b", "c"), one.emit("none"), new EventEmitter().emit("none"));
      return { seen, counts };`);
  });

  it("lets errorMonitor see an error first, throws an unheard one, and fires once-listeners once, removed before they run", async () => {
    await both(`
      const e = new EventEmitter();
      const seen = [];
      e.on(errorMonitor, (error, extra) => seen.push(["monitor", error.message, extra]));
      const unheard = failure(() => e.emit("error", new Error("boom"), "extra"));
      e.on("error", (error, extra) => seen.push(["error", error.message, extra]));
      e.emit("error", new Error("heard"), "extra");
      const o = new EventEmitter();
      function listener(...args) { seen.push(["once", this === o, o.listenerCount("z"), args]); }
      o.once("z", listener);
      o.prependOnceListener("z", () => seen.push(["prepended", o.listenerCount("z")]));
      const raw = o.rawListeners("z").map((w) => [typeof w, w.listener === listener, o.listeners("z").includes(listener)]);
      o.emit("z", 1, 2);
      o.emit("z", 3);
      const r = new EventEmitter();
      r.once("q", listener);
      r.removeListener("q", listener);
      return { seen, unheard, raw, left: [o.listenerCount("z"), r.listenerCount("q"), r.emit("q")] };`);
  });
});

describe("process.nextTick", () => {
  it("runs ticks in order with their arguments, a tick's ticks ahead of its promise jobs, a loop callback's ticks ahead of a job queued between", async () => {
    await both(`
      const log = [];
      // From a callback of the loop (an immediate), as Node runs a socket's.
      setImmediate(() => {
        process.nextTick(() => log.push("tick a"));
        Promise.resolve().then(() => log.push("promise"));
        process.nextTick((x, y) => log.push("tick b " + x + y), 1, 2);
      });
      await turn();
      await turn();
      process.nextTick(() => {
        log.push("outer");
        queueMicrotask(() => log.push("microtask from the tick"));
        Promise.resolve().then(() => log.push("promise from the tick"));
        process.nextTick(() => log.push("tick from the tick"));
      });
      await turn();
      Promise.resolve().then(() => {
        process.nextTick(() => log.push("tick from a job"));
        process.nextTick(() => log.push("second tick from a job"));
      });
      await turn();
      return { log, bad: failure(() => process.nextTick(5)) };`);
  });

  it("runs each tick in the AsyncLocalStorage context it was queued in", async () => {
    await both(`
      const als = new AsyncLocalStorage();
      const seen = [];
      als.run("a", () => process.nextTick(() => seen.push(als.getStore())));
      als.run("b", () => process.nextTick((x) => seen.push(als.getStore() + x), "!"));
      process.nextTick(() => seen.push(als.getStore() ?? null));
      await turn();
      return seen;`);
  });
});
