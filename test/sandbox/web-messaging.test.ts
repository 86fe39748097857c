/**
 * MessageChannel, MessagePort, MessageEvent and BroadcastChannel in the sandbox's one thread: each
 * source runs in the handler and in the host's Node (called as Lambda calls a handler, from an I/O
 * callback), and the answers must be the same. Timers of 0 ms race with messages in Node itself, so
 * the orders compared hold only immediates, promises, messages and timers with room to spare.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, invokeOnce, messagesAt, resultOf, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const both = async (body: string) => {
  const files = {
    "index.js": `${FAILURE_SOURCE}
const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.handler = async () => {${body}};`,
  };
  return answersAsNode(sandbox, files);
};

/** A port that answers each message n < 3 with n + 1, and another channel's one message; what happened, in order. */
const SCENARIO = `const scenario = () => {
  const log = [];
  const { port1, port2 } = new MessageChannel();
  const other = new MessageChannel();
  port2.onmessage = (e) => {
    log.push("m" + e.data);
    Promise.resolve().then(() => log.push("p" + e.data));
    if (e.data < 3) port1.postMessage(e.data + 1);
    setImmediate(() => log.push("i" + e.data));
  };
  other.port2.onmessage = (e) => log.push("other " + e.data);
  setTimeout(() => log.push("timeout 20"), 20);
  setImmediate(() => log.push("immediate"));
  Promise.resolve().then(() => log.push("promise"));
  port1.postMessage(1);
  other.port1.postMessage("x");
  log.push("sync");
  return later(40).then(() => { port2.close(); other.port2.close(); return log; });
};`;

describe("MessageChannel", () => {
  it("delivers in Node's order relative to promises, immediates and timers, from the handler, an immediate and a timer", async () => {
    const node = await both(`${SCENARIO}
      const fromHandler = await scenario();
      const fromImmediate = await new Promise((resolve) => setImmediate(() => resolve(scenario())));
      const fromTimer = await new Promise((resolve) => setTimeout(() => resolve(scenario()), 1));
      // Node goes through its ports in the order they were made: what a port already passed receives waits for the next poll phase.
      const passes = [];
      const a = new MessageChannel(), b = new MessageChannel();
      a.port2.onmessage = (e) => passes.push("a:" + e.data);
      b.port2.onmessage = (e) => { passes.push("b:" + e.data); a.port1.postMessage("from b"); setImmediate(() => passes.push("immediate")); };
      b.port1.postMessage(1);
      await later(20);
      a.port2.close();
      b.port2.close();
      return { fromHandler, fromImmediate, fromTimer, passes };`);
    expect((node as { fromHandler: string[] }).fromHandler).toEqual([
      "sync",
      "promise",
      "immediate",
      "m1",
      "p1",
      "m2",
      "p2",
      "m3",
      "p3",
      "other x",
      "i1",
      "i2",
      "i3",
      "timeout 20",
    ]);
  });

  it("clones what is posted, queues it until the port starts, and closes both ports", async () => {
    const node = await both(`
      const { port1, port2 } = new MessageChannel();
      const value = { when: new Date(0), map: new Map([[1, { deep: true }]]), list: [1, 2] };
      port1.postMessage(value);
      value.list.push(3);
      const errors = [failure(() => port1.postMessage({ f() {} })), failure(() => port1.postMessage(Symbol("s")))];
      await later(5);
      const received = [];
      const events = [];
      port2.addEventListener("message", (e) => events.push([e instanceof MessageEvent, e.type, e.origin, e.lastEventId, e.source, e.ports, e.target === port2]));
      port2.on("message", (data) => received.push(data));
      port2.once("message", (data) => received.push(["once", data]));
      await later(5);
      port1.postMessage("second");
      port1.postMessage("third");
      const closes = [];
      port1.on("close", () => closes.push("port1"));
      port2.addEventListener("close", () => closes.push("port2"));
      port1.close();
      port1.postMessage("after close");
      await later(10);
      const first = received[0];
      return {
        first: [first.when instanceof Date, first.when.getTime(), first.map.get(1), first.list, first !== value],
        rest: received.slice(1), events, errors, closes,
        classes: [failure(() => new MessagePort()), MessagePort.prototype instanceof EventTarget, BroadcastChannel.prototype instanceof EventTarget,
          Object.getPrototypeOf(MessageEvent.prototype) === Event.prototype],
        event: (() => { const e = new MessageEvent("message", { data: { a: 1 }, origin: "o" }); return [e.type, e.data, e.origin, e.lastEventId, e.source, e.ports]; })(),
        workerThreads: require("node:worker_threads").MessageChannel === MessageChannel && require("node:worker_threads").BroadcastChannel === BroadcastChannel,
      };`);
    expect((node as { first: unknown[] }).first).toEqual([true, 0, { deep: true }, [1, 2], true]);
  });

  it("broadcasts to the other channels of a name", async () => {
    await both(`
      const a = new BroadcastChannel("orders"), b = new BroadcastChannel("orders"), c = new BroadcastChannel("other");
      const got = [];
      a.onmessage = (e) => got.push(["a", e.data]);
      b.onmessage = (e) => got.push(["b", e.data, e instanceof MessageEvent]);
      c.addEventListener("message", (e) => got.push(["c", e.data]));
      a.postMessage({ id: 1 });
      b.postMessage("from b");
      await later(5);
      [a, b, c].forEach((channel) => channel.close());
      return { got, name: a.name, closed: failure(() => a.postMessage(1)), noName: failure(() => new BroadcastChannel()) };`);
  });
});

describe("what keeps an invocation open", () => {
  /** A callback handler that answers at once; an unref'd timer closes `closeable` 30 ms later, which only a held loop waits for. */
  const waits = async (setup: string): Promise<boolean> => {
    const files = {
      "index.js": `exports.handler = (event, context, callback) => {
        ${setup}
        setTimeout(() => { console.log("closing"); closeable.close(); }, 30).unref();
        callback(null, "answered");
      };`,
    };
    const result = await invokeOnce(sandbox, files);
    expect(resultOf(result)).toBe("answered");
    return messagesAt(result.logs, "INFO").includes("closing");
  };

  it("is a port with a message listener, until closed, unless unref'd; and a BroadcastChannel, as in Node", async () => {
    expect(await waits("const { port1: closeable } = new MessageChannel(); closeable.onmessage = () => {};")).toBe(true);
    expect(await waits(`const { port1: closeable } = new MessageChannel(); closeable.addEventListener("message", () => {});`)).toBe(true);
    expect(await waits("const { port1: closeable } = new MessageChannel(); closeable.onmessage = () => {}; closeable.unref();")).toBe(
      false,
    );
    expect(
      await waits("const { port1: closeable } = new MessageChannel(); closeable.onmessage = () => {}; closeable.onmessage = null;"),
    ).toBe(false);
    expect(await waits("const { port1: closeable } = new MessageChannel(); closeable.start();")).toBe(false);
    expect(await waits(`const closeable = new BroadcastChannel("keeps");`)).toBe(true);
  });
});
