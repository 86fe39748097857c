/** SnapStart in the sandbox: environments restored from a snapshot of an initialised one. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { errorOf, type Files, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((s) => {
  sandbox = s;
});

const STATEFUL: Files = {
  "index.js": `
    let counter = 0;
    const initRandom = Math.random();
    const initUuid = crypto.randomUUID();
    const initAt = Date.now();
    globalThis.shared = "from INIT";
    exports.handler = async (event) => {
      counter += 1;
      if (event.set) globalThis.shared = event.set;
      return { counter, initRandom, initUuid, initAt, random: Math.random(), uuid: crypto.randomUUID(), shared: globalThis.shared,
        stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME, type: process.env.AWS_LAMBDA_INITIALIZATION_TYPE };
    };`,
};

type Answer = {
  counter: number;
  initRandom: number;
  initUuid: string;
  initAt: number;
  random: number;
  uuid: string;
  shared: string;
  stream: string;
  type: string;
};

describe("SnapStart", () => {
  it("restores environments that share INIT's state but not their random numbers, counters or globals", async () => {
    const config = configFor(writePackage(STATEFUL), { snapStart: true });
    expect(await sandbox.prepareSnapshot(config)).toEqual({ initError: undefined, logs: "" });
    const a = await sandbox.createEnvironment(config);
    const b = await sandbox.createEnvironment(config);
    try {
      expect(a.restored && b.restored).toBe(true);
      const a1 = resultOf(await a.invoke(JSON.stringify({ set: "changed in a" }))) as Answer;
      const a2 = resultOf(await a.invoke("{}")) as Answer;
      const b1 = resultOf(await b.invoke("{}")) as Answer;
      // INIT ran once: both saw its values.
      expect(b1.initRandom).toBe(a1.initRandom);
      expect(b1.initUuid).toBe(a1.initUuid);
      expect(b1.initAt).toBe(a1.initAt);
      // Each environment is reseeded and keeps its own state.
      expect(b1.random).not.toBe(a1.random);
      expect(b1.uuid).not.toBe(a1.uuid);
      expect([a1.counter, a2.counter, b1.counter]).toEqual([1, 2, 1]);
      expect(a2.shared).toBe("changed in a");
      expect(b1.shared).toBe("from INIT");
      expect(a1.stream).toBe(a.logStreamName);
      expect(b1.stream).toBe(b.logStreamName);
      expect(b1.type).toBe("snap-start");
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("signs in a restored environment with the HMAC key INIT last used, which the host's new half never saw", async () => {
    const files = {
      "index.js": `const { createHmac } = require("node:crypto");
        const atInit = createHmac("sha256", "init-key").update("a").digest("hex");
        exports.handler = async () => ({ atInit, restored: createHmac("sha256", "init-key").update("b").digest("hex") });`,
    };
    const config = configFor(writePackage(files), { snapStart: true });
    expect(await sandbox.prepareSnapshot(config)).toEqual({ initError: undefined, logs: "" });
    const env = await sandbox.createEnvironment(config);
    try {
      expect(env.restored).toBe(true);
      expect(resultOf(await env.invoke("{}"))).toEqual({
        atInit: createHmac("sha256", "init-key").update("a").digest("hex"),
        restored: createHmac("sha256", "init-key").update("b").digest("hex"),
      });
    } finally {
      env.dispose();
    }
  });

  it("creates the snapshot on the first create when none was prepared", async () => {
    const config = configFor(writePackage(STATEFUL), { snapStart: true });
    const a = await sandbox.createEnvironment(config);
    const b = await sandbox.createEnvironment(config);
    try {
      const [ra, rb] = [resultOf(await a.invoke("{}")) as Answer, resultOf(await b.invoke("{}")) as Answer];
      expect(rb.initUuid).toBe(ra.initUuid);
      expect(rb.random).not.toBe(ra.random);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("enforces the timeout and the memory limit after a restore", async () => {
    const files: Files = {
      "index.js": `
        const data = Array.from({ length: 1000 }, (_, i) => ({ i }));
        exports.handler = async (event) => {
          if (event.spin) for (;;) {}
          if (event.grow) { const keep = []; for (;;) keep.push("x".repeat(1024) + keep.length); }
          return data.length;
        };`,
    };
    const dir = writePackage(files);
    const config = configFor(dir, { snapStart: true, timeoutSeconds: 1 });
    const spin = await sandbox.createEnvironment(config);
    expect(spin.restored).toBe(true);
    expect(errorOf(await spin.invoke(JSON.stringify({ spin: true }))).errorMessage).toMatch(/timed out after 1\.00 seconds/);
    spin.dispose();
    // Time enough to reach the memory limit on a busy machine.
    const grow = await sandbox.createEnvironment(configFor(dir, { snapStart: true, timeoutSeconds: 30 }));
    expect(errorOf(await grow.invoke(JSON.stringify({ grow: true }))).errorType).toBe("Runtime.OutOfMemory");
    grow.dispose();
    const fine = await sandbox.createEnvironment(config);
    expect(resultOf(await fine.invoke("{}"))).toBe(1000);
    fine.dispose();
  });

  it("runs beforeSnapshot hooks once and afterRestore hooks in every restored environment", async () => {
    const files: Files = {
      "index.js": `
        let before = 0, after = 0, timer;
        timer = setInterval(() => {}, 1000);
        awslambda.registerBeforeSnapshot(async () => { before += 1; clearInterval(timer); });
        awslambda.registerAfterRestore(() => { after += 1; });
        exports.handler = async () => ({ before, after });`,
    };
    const config = configFor(writePackage(files), { snapStart: true });
    const env = await sandbox.createEnvironment(config);
    expect(resultOf(await env.invoke("{}"))).toEqual({ before: 1, after: 1 });
    env.dispose();
  });

  it("reports an INIT failure, and a state it cannot save, when the snapshot is prepared", async () => {
    const failing = configFor(writePackage({ "index.js": `throw new Error("no config");` }), { snapStart: true });
    const { initError } = await sandbox.prepareSnapshot(failing);
    expect(initError?.errorMessage).toBe("no config");
    const env = await sandbox.createEnvironment(failing);
    expect(errorOf(await env.invoke("{}")).errorMessage).toBe("no config");
    const timer = configFor(writePackage({ "index.js": `setTimeout(() => {}, 60000); exports.handler = async () => 1;` }), {
      snapStart: true,
    });
    expect((await sandbox.prepareSnapshot(timer)).initError?.errorMessage).toMatch(/a timer is pending/);
    const tmp = configFor(
      writePackage({ "index.js": `require("fs").writeFileSync("/tmp/cache", "x"); exports.handler = async () => 1;` }),
      { snapStart: true },
    );
    expect((await sandbox.prepareSnapshot(tmp)).initError?.errorMessage).toMatch(/\/tmp is not empty/);
  });

  it("fails the publish when a beforeSnapshot hook throws, and the cold start when an afterRestore hook does", async () => {
    const before = configFor(
      writePackage({
        "index.js": `awslambda.registerBeforeSnapshot(() => { throw new Error("cannot close"); }); exports.handler = async () => 1;`,
      }),
      { snapStart: true },
    );
    expect((await sandbox.prepareSnapshot(before)).initError?.errorMessage).toBe("cannot close");
    const after = configFor(
      writePackage({
        "index.js": `awslambda.registerAfterRestore(async () => { throw new Error("cannot reconnect"); }); exports.handler = async () => 1;`,
      }),
      { snapStart: true },
    );
    expect((await sandbox.prepareSnapshot(after)).initError).toBeUndefined();
    const env = await sandbox.createEnvironment(after);
    expect(errorOf(await env.invoke("{}")).errorMessage).toBe("cannot reconnect");
  });
});
