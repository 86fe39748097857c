import { afterAll, describe, expect, it } from "vitest";
import { FunctionFolderError, readFunctionFolder, readFunctionFolders } from "../../src/functions/folder.js";
import { removePackages, writePackage } from "../sandbox/fixtures.js";

afterAll(removePackages);

describe("function folders", () => {
  it("applies Lambda's defaults when function.json is absent", () => {
    const dir = writePackage({ "index.js": "exports.handler = async () => 1;" });
    const folder = readFunctionFolder(dir);
    expect(folder.settings).toMatchObject({
      handler: "index.handler",
      runtime: "nodejs20.x",
      memorySize: 128,
      timeout: 3,
      environment: {},
    });
  });

  it("reads function.json settings", () => {
    const dir = writePackage({
      "function.json": JSON.stringify({ handler: "src/app.main", memorySize: 256, timeout: 10, environment: { STAGE: "dev" } }),
    });
    expect(readFunctionFolder(dir).settings).toMatchObject({
      handler: "src/app.main",
      memorySize: 256,
      timeout: 10,
      environment: { STAGE: "dev" },
    });
  });

  it("names the bad field when function.json breaks a Lambda limit", () => {
    const dir = writePackage({ "function.json": JSON.stringify({ memorySize: 64, timeout: 901 }) });
    expect(() => readFunctionFolder(dir)).toThrow(FunctionFolderError);
    expect(() => readFunctionFolder(dir)).toThrow(/memorySize: .*128.*\n.*timeout: .*900/);
  });

  it("takes layers (at most 5, as Lambda) and ephemeralStorage (512–10240 MB)", () => {
    const ok = writePackage({ "function.json": JSON.stringify({ layers: ["../shared"], ephemeralStorage: 1024 }) });
    expect(readFunctionFolder(ok).settings).toMatchObject({ layers: ["../shared"], ephemeralStorage: 1024 });
    expect(readFunctionFolder(writePackage({ "index.js": "" })).settings).toMatchObject({ layers: [], ephemeralStorage: 512 });
    const bad = writePackage({ "function.json": JSON.stringify({ layers: ["a", "b", "c", "d", "e", "f"], ephemeralStorage: 100 }) });
    expect(() => readFunctionFolder(bad)).toThrow(/function\.json:1: layers: .*5.*\n.*function\.json:1: ephemeralStorage: .*512/);
  });

  it("takes a FIFO queue in eventSources only with batches of at most 10 and no batching window", () => {
    const ok = writePackage({ "function.json": JSON.stringify({ eventSources: [{ queue: "jobs.fifo", batchSize: 10 }] }) });
    expect(readFunctionFolder(ok).settings.eventSources).toEqual([{ queue: "jobs.fifo", batchSize: 10 }]);
    for (const source of [
      { queue: "jobs.fifo", batchSize: 11, maximumBatchingWindowInSeconds: 1 },
      { queue: "jobs.fifo", maximumBatchingWindowInSeconds: 1 },
    ]) {
      const bad = writePackage({ "function.json": JSON.stringify({ eventSources: [source] }) });
      expect(() => readFunctionFolder(bad)).toThrow(/eventSources.*FIFO queue takes batches of at most 10 and no batching window/);
    }
  });

  it("refuses unknown fields and invalid JSON with the file named", () => {
    const unknown = writePackage({ "function.json": JSON.stringify({ memory: 256 }) });
    expect(() => readFunctionFolder(unknown)).toThrow(/function\.json:1: memory: unknown field/);
    const broken = writePackage({ "function.json": '{\n  "memorySize": 256,\n  nope\n}' });
    expect(() => readFunctionFolder(broken)).toThrow(/function\.json:3:3: not valid JSON \(InvalidSymbol\)/);
    const badValue = writePackage({ "function.json": JSON.stringify({ handler: "index.handler", timeout: 0 }, null, 2) });
    expect(() => readFunctionFolder(badValue)).toThrow(/function\.json:3: timeout: /);
  });

  it("deploys the example folders of this repository", () => {
    expect(readFunctionFolders("functions").map((f) => f.name)).toContain("hello");
  });
});
