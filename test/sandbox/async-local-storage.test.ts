/** AsyncLocalStorage in the guest: the store follows an invocation's continuations, as in Node. */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { writePackage } from "./fixtures.js";
import { environmentFor, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const run = async (body: string): Promise<unknown> =>
  resultOf(
    await invokeOnce(sandbox, {
      "index.mjs": `import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
        import { setTimeout as sleep } from "node:timers/promises";
        import { EventEmitter } from "node:events";
        export const handler = async (event) => {${body}};`,
    }),
  );

describe("AsyncLocalStorage", () => {
  it("keeps the store across await, timers, setImmediate, nextTick, queueMicrotask and then", async () => {
    const out = await run(`
      const als = new AsyncLocalStorage();
      const seen = {};
      await als.run({ id: "r1" }, async () => {
        await Promise.resolve();
        seen.afterAwait = als.getStore()?.id;
        for (let i = 0; i < 3; i++) await null;
        seen.afterAwaitValue = als.getStore()?.id;
        await sleep(1);
        seen.afterTimersPromises = als.getStore()?.id;
        await new Promise((resolve) => setTimeout(() => { seen.timeout = als.getStore()?.id; resolve(); }, 1));
        await new Promise((resolve) => setImmediate(() => { seen.immediate = als.getStore()?.id; resolve(); }));
        await new Promise((resolve) => process.nextTick(() => { seen.nextTick = als.getStore()?.id; resolve(); }));
        await new Promise((resolve) => queueMicrotask(() => { seen.microtask = als.getStore()?.id; resolve(); }));
        await Promise.resolve().then(() => { seen.thenCallback = als.getStore()?.id; });
        await Promise.reject(new Error("x")).catch(() => { seen.catch = als.getStore()?.id; });
        await Promise.all([sleep(2), sleep(1)]);
        seen.afterAll = als.getStore()?.id;
        let ticks = 0;
        await new Promise((resolve) => {
          const t = setInterval(() => { seen.interval = als.getStore()?.id; if (++ticks === 2) { clearInterval(t); resolve(); } }, 1);
        });
        const emitter = new EventEmitter();
        emitter.on("go", AsyncLocalStorage.bind(() => { seen.bound = als.getStore()?.id; }));
        setTimeout(() => als.run({ id: "other" }, () => emitter.emit("go")), 1);
        await sleep(3);
      });
      seen.outside = als.getStore() ?? null;
      return seen;
    `);
    expect(out).toEqual({
      afterAwait: "r1",
      afterAwaitValue: "r1",
      afterTimersPromises: "r1",
      timeout: "r1",
      immediate: "r1",
      nextTick: "r1",
      microtask: "r1",
      thenCallback: "r1",
      catch: "r1",
      afterAll: "r1",
      interval: "r1",
      bound: "r1",
      outside: null,
    });
  });

  it("keeps concurrent runs apart and nests runs, exit and enterWith", async () => {
    const out = await run(`
      const als = new AsyncLocalStorage();
      const other = new AsyncLocalStorage();
      const worker = async (id, delay) => {
        const seen = [als.getStore()];
        await Promise.resolve();
        seen.push(als.getStore());
        await sleep(delay);
        seen.push(als.getStore());
        await new Promise((resolve) => setTimeout(resolve, delay));
        seen.push(als.getStore());
        await (async () => 1)();
        seen.push(als.getStore());
        return seen;
      };
      const concurrent = await Promise.all([als.run("a", worker, "a", 3), als.run("b", worker, "b", 1), als.run("c", worker, "c", 2)]);
      const nested = als.run("outer", () => {
        const inner = als.run("inner", () => [als.getStore(), other.run(7, () => [als.getStore(), other.getStore()])]);
        return { inner, back: als.getStore(), exited: als.exit(() => als.getStore() ?? null), after: als.getStore() };
      });
      const entered = await als.run("x", async () => {
        als.enterWith("y");
        await sleep(1);
        return als.getStore();
      });
      const disabled = als.run("z", () => { als.disable(); return als.getStore() ?? null; });
      const resource = als.run("res", () => new AsyncResource("test"));
      const scoped = resource.runInAsyncScope(() => als.getStore());
      return { concurrent, nested, entered, disabled, scoped, outside: als.getStore() ?? null };
    `);
    expect(out).toEqual({
      concurrent: [
        ["a", "a", "a", "a", "a"],
        ["b", "b", "b", "b", "b"],
        ["c", "c", "c", "c", "c"],
      ],
      nested: { inner: ["inner", ["inner", 7]], back: "outer", exited: null, after: "outer" },
      entered: "y",
      disabled: null,
      scoped: "res",
      outside: null,
    });
  });

  it("does not leak a store into the next invocation of a warm environment", async () => {
    const env = await environmentFor(sandbox, {
      "index.mjs": `import { AsyncLocalStorage } from "node:async_hooks";
        const als = new AsyncLocalStorage();
        export const handler = async (event) => {
          const before = als.getStore() ?? null;
          const inside = await als.run(event.id, async () => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            await null;
            return als.getStore();
          });
          await null;
          return { before, inside, after: als.getStore() ?? null };
        };`,
    });
    try {
      for (const id of ["first", "second"]) {
        expect(resultOf(await env.invoke(JSON.stringify({ id })))).toEqual({ before: null, inside: id, after: null });
      }
    } finally {
      env.dispose();
    }
  });

  // Node's stores, from the host's Node running the same module. QuickJS has no hook where an
  // `await` of a value that is not a promise resumes (nor a thenable's), so with several runs in
  // flight the store there is none, or that of another run whose `await` of a promise resumed just
  // before (docs/node-compat.md). A fix needs the engine's promise hooks or the awaits rewritten.
  it.fails("keeps each run's store after an await of a non-promise or a thenable while several runs are in flight", async () => {
    const source = `import { AsyncLocalStorage } from "node:async_hooks";
      const als = new AsyncLocalStorage();
      const thenable = (value) => ({ then(resolve) { resolve(value); } });
      const store = () => als.getStore() ?? null;
      export const handler = async () => {
        const interleaved = async () => {
          const seen = [];
          await 1; seen.push(store());
          await thenable(2); seen.push(store());
          await null; seen.push(store());
          return seen;
        };
        // b's await of 1 resumes after a's await of a promise.
        const first = async () => { await Promise.resolve(); const seen = [store()]; await 1; return [...seen, store()]; };
        const second = async () => { await 1; return [store()]; };
        return {
          interleaved: await Promise.all([als.run("a", interleaved), als.run("b", interleaved)]),
          afterPromise: await Promise.all([als.run("a", first), als.run("b", second)]),
          outside: store(),
        };
      };`;
    const file = `${writePackage({ "index.mjs": source })}/index.mjs`;
    const driver = `import(${JSON.stringify(file)}).then(async (m) => console.log(JSON.stringify(await m.handler({}))));`;
    const node: unknown = JSON.parse(execFileSync(process.execPath, ["-e", driver], { encoding: "utf8" }));
    expect(node).toEqual({
      interleaved: [
        ["a", "a", "a"],
        ["b", "b", "b"],
      ],
      afterPromise: [["a", "a"], ["b"]],
      outside: null,
    });
    expect(resultOf(await invokeOnce(sandbox, { "index.mjs": source }))).toEqual(node);
  });
});
