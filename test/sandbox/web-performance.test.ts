/**
 * Node's performance timeline in the sandbox: the Performance class of the global performance,
 * marks and measures, and PerformanceObserver. Each source runs in the handler and in the host's
 * Node, and the answers must be the same.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const both = async (body: string) => {
  const files = {
    "index.js": `const failure = (make) => { try { make(); return "no error"; } catch (e) { return [e.name, e.code, e.message, e instanceof DOMException]; } };
const names = (list) => list.map((e) => e.name + ":" + e.entryType);
exports.handler = async () => {${body}};`,
  };
  return answersAsNode(sandbox, files);
};

describe("performance", () => {
  it("is the Performance instance, with now and timeOrigin, and its classes are Node's", async () => {
    const node = await both(`
      const { mark } = performance;
      return {
        instance: [performance instanceof Performance, performance instanceof EventTarget, Object.prototype.toString.call(performance)],
        clock: [typeof performance.now(), performance.now() >= 0, Math.abs(performance.timeOrigin + performance.now() - Date.now()) < 1000],
        construct: [Performance, PerformanceEntry, PerformanceMeasure, PerformanceObserverEntryList, PerformanceResourceTiming].map((C) => failure(() => new C())),
        unbound: failure(() => mark("x")),
        parents: [PerformanceMark, PerformanceMeasure, PerformanceResourceTiming].map((C) => Object.getPrototypeOf(C.prototype) === PerformanceEntry.prototype),
        perfHooks: Object.entries(require("node:perf_hooks")).filter(([, v]) => v === globalThis[v?.name] || v === performance).map(([k]) => k).sort(),
      };`);
    expect((node as { instance: unknown[] }).instance).toEqual([true, true, "[object Performance]"]);
  });

  it("keeps marks and measures in its timeline as PerformanceMark and PerformanceMeasure entries", async () => {
    const node = await both(`
      const detail = { step: 1 };
      const a = performance.mark("a", { startTime: 10, detail });
      detail.step = 2;
      performance.mark("b", { startTime: 25 });
      const now = performance.mark("now");
      const between = performance.measure("a-b", "a", "b");
      const opts = [performance.measure("o1", { start: 1, end: 4, detail: "d" }), performance.measure("o2", { start: "a", duration: 5 }),
        performance.measure("o3", { end: "b", duration: 5 }), performance.measure("o4", undefined, "b")];
      const toNow = performance.measure("a-now", "a");
      // Its time is the environment's own (an environment here is younger than a Node process).
      performance.clearMarks("now");
      const result = {
        mark: [a instanceof PerformanceMark, a instanceof PerformanceEntry, a.name, a.entryType, a.startTime, a.duration, a.detail, a.toJSON(),
          Object.prototype.toString.call(a), Object.getOwnPropertyNames(a)],
        direct: new PerformanceMark("free", { startTime: 3 }).toJSON(),
        defaultTime: now.startTime > 0 && now.startTime <= performance.now(),
        between: [between instanceof PerformanceMeasure, between.toJSON()],
        opts: opts.map((m) => m.toJSON()),
        toNow: [toNow.startTime, toNow.duration >= now.startTime - 10],
        entries: names(performance.getEntries()),
        byType: names(performance.getEntriesByType("measure")),
        byName: [names(performance.getEntriesByName("a")), names(performance.getEntriesByName("a", "measure")), performance.getEntriesByType("resource")],
        errors: [failure(() => performance.measure("x", "nope")), failure(() => performance.mark()), failure(() => performance.mark("x", { startTime: -1 })),
          failure(() => performance.mark("x", 5)), failure(() => performance.measure("x", { start: 1, end: 2 }, "a")),
          failure(() => performance.measure("x", { start: 1, end: 2, duration: 1 })), failure(() => performance.mark("x", { detail: () => {} }))],
      };
      performance.clearMarks("a");
      result.clearedOne = names(performance.getEntriesByType("mark"));
      result.goneMark = failure(() => performance.measure("y", "a"));
      performance.clearMarks();
      performance.clearMeasures("a-b");
      result.clearedMarks = names(performance.getEntries());
      performance.clearMeasures();
      result.empty = performance.getEntries();
      result.json = Object.keys(JSON.parse(JSON.stringify(performance))).includes("timeOrigin");
      return result;`);
    expect((node as { mark: unknown[] }).mark.slice(0, 7)).toEqual([true, true, "a", "mark", 10, 0, { step: 1 }]);
  });

  it("calls a PerformanceObserver back from an immediate with the entries of the types it observes", async () => {
    const node = await both(`
      const order = [];
      const seen = await new Promise((resolve) => {
        const observer = new PerformanceObserver(function (list, self) {
          order.push("observer");
          resolve([list instanceof PerformanceObserverEntryList, self === observer, this === observer, names(list.getEntries()),
            names(list.getEntriesByType("measure")), names(list.getEntriesByName("m1")), names(observer.takeRecords())]);
          observer.disconnect();
        });
        observer.observe({ entryTypes: ["mark", "measure"] });
        performance.mark("m1", { startTime: 2 });
        performance.measure("span", { start: 1, end: 3 });
        setImmediate(() => order.push("immediate"));
        Promise.resolve().then(() => order.push("promise"));
        order.push("sync");
      });
      await new Promise((resolve) => setImmediate(resolve));
      performance.mark("before");
      const buffered = await new Promise((resolve) => {
        const observer = new PerformanceObserver((list) => { observer.disconnect(); resolve(names(list.getEntries())); });
        observer.observe({ type: "mark", buffered: true });
      });
      const taken = new PerformanceObserver(() => order.push("taken called back"));
      taken.observe({ type: "measure" });
      performance.measure("t1", { start: 0, end: 1 });
      performance.mark("not observed");
      const records = names(taken.takeRecords());
      taken.disconnect();
      const checks = new PerformanceObserver(() => {});
      const errors = [failure(() => new PerformanceObserver()), failure(() => checks.observe()), failure(() => checks.observe(5)),
        failure(() => checks.observe({ entryTypes: ["mark"], type: "mark" })), failure(() => checks.observe({ entryTypes: "mark" })),
        failure(() => checks.observe({ type: "mark" }))];
      checks.disconnect();
      await new Promise((resolve) => setImmediate(resolve));
      return { seen, order, buffered, records, errors, supported: PerformanceObserver.supportedEntryTypes };`);
    expect((node as { order: string[] }).order).toEqual(["sync", "promise", "observer", "immediate"]);
  });
});
