import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFolder } from "../../src/functions/deploy.js";
import { FunctionFolderError, readFunctionFolder } from "../../src/functions/folder.js";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { ComponentCache } from "../../src/sandbox/index.js";
import { zipOf } from "../registry/fixtures.js";
import { removePackages, writePackage } from "../sandbox/fixtures.js";

let dataDir: string;
let opened: OpenedRegistry;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "isolambda-deploy-"));
  opened = openRegistry(dataDir);
});
afterAll(() => {
  opened.registry.close();
  rmSync(dataDir, { recursive: true, force: true });
  removePackages();
});

const deploy = (dir: string) => deployFolder(readFunctionFolder(dir), opened.registry, opened.code, "000000000000");

describe("deploying function folders", () => {
  it("creates, publishes and aliases; redeploys nothing when nothing changed; publishes again on change", async () => {
    const dir = writePackage({
      "index.js": "exports.handler = async () => 1;",
      "function.json": JSON.stringify({ memorySize: 256, aliases: { live: "1" } }),
    });
    const name = path.basename(dir);
    expect(await deploy(dir)).toBe("created");
    expect(opened.registry.getVersion(name, "1")?.memorySize).toBe(256);
    expect(opened.registry.getAlias(name, "live")?.functionVersion).toBe("1");

    expect(await deploy(dir)).toBe("unchanged");
    expect(opened.registry.listVersions(name, {}).items.map((v) => v.version)).toEqual(["$LATEST", "1"]);

    writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 2;");
    writeFileSync(
      path.join(dir, "function.json"),
      JSON.stringify({ memorySize: 256, aliases: { live: { version: "2", weights: { "1": 0.5 } } } }),
    );
    expect(await deploy(dir)).toBe("updated");
    expect(opened.registry.listVersions(name, {}).items.map((v) => v.version)).toEqual(["$LATEST", "1", "2"]);
    expect(opened.registry.getAlias(name, "live")).toMatchObject({ functionVersion: "2", additionalVersionWeights: { "1": 0.5 } });
  });

  it("records function.json's provisionedConcurrency for the server to initialise", async () => {
    const dir = writePackage({
      "index.js": "exports.handler = async () => 1;",
      "function.json": JSON.stringify({ aliases: { live: "1" }, provisionedConcurrency: { live: 2 } }),
    });
    await deploy(dir);
    expect(opened.registry.listProvisioned(path.basename(dir))).toMatchObject([{ qualifier: "live", requested: 2 }]);
    const latest = writePackage({ "index.js": "", "function.json": JSON.stringify({ provisionedConcurrency: { $LATEST: 1 } }) });
    await expect(deploy(latest)).rejects.toThrow(/provisionedConcurrency\.\$LATEST: not a published version or an alias/);
  });

  it("applies function.json's reservedConcurrency, within what the account can reserve", async () => {
    const dir = writePackage({
      "index.js": "exports.handler = async () => 1;",
      "function.json": JSON.stringify({ reservedConcurrency: 3 }),
    });
    await deploy(dir);
    expect(opened.registry.getReservedConcurrency(path.basename(dir))).toBe(3);
    const greedy = writePackage({ "index.js": "", "function.json": JSON.stringify({ reservedConcurrency: 901 }) });
    await expect(deploy(greedy)).rejects.toThrow(/reservedConcurrency: Specified ReservedConcurrentExecutions for function decreases/);
  });

  it("publishes a local layer folder when its content changed and attaches its newest version; takes layer ARNs as they are", async () => {
    const layerDir = writePackage({ "nodejs/node_modules/lib/index.js": "module.exports = 1;" });
    const layerName = path.basename(layerDir);
    const published = await opened.code.put(zipOf({ "nodejs/node_modules/other/index.js": "module.exports = 2;" }));
    const other = opened.registry.publishLayerVersion({
      layerName: "published-elsewhere",
      description: "",
      compatibleRuntimes: [],
      compatibleArchitectures: [],
      code: published,
    });
    const otherArn = `arn:aws:lambda:us-east-1:000000000000:layer:published-elsewhere:${other.version}`;
    const dir = writePackage({ "index.js": "exports.handler = async () => require('lib');" });
    writeFileSync(
      path.join(dir, "function.json"),
      JSON.stringify({ layers: [path.relative(dir, layerDir), otherArn], ephemeralStorage: 2048 }),
    );
    const name = path.basename(dir);
    const arnOf = (version: number) => `arn:aws:lambda:us-east-1:000000000000:layer:${layerName}:${version}`;

    expect(await deploy(dir)).toBe("created");
    expect(opened.registry.getVersion(name)?.layers.map((l) => l.arn)).toEqual([arnOf(1), otherArn]);
    expect(opened.registry.getVersion(name)?.ephemeralStorageMB).toBe(2048);
    expect(await deploy(dir)).toBe("unchanged");
    expect(opened.registry.listLayerVersions(layerName, {}).items.map((v) => v.version)).toEqual([1]);

    writeFileSync(path.join(layerDir, "nodejs/node_modules/lib/index.js"), "module.exports = 3;");
    expect(await deploy(dir)).toBe("updated");
    expect(opened.registry.getVersion(name)?.layers.map((l) => l.arn)).toEqual([arnOf(2), otherArn]);
    // The version published before keeps the layer version it was published with.
    expect(opened.registry.getVersion(name, "1")?.layers.map((l) => l.arn)).toEqual([arnOf(1), otherArn]);
  });

  it("refuses a layer ARN that names no layer version, naming function.json", async () => {
    const dir = writePackage({
      "index.js": "",
      "function.json": JSON.stringify({ layers: ["arn:aws:lambda:us-east-1:000000000000:layer:nothing:1"] }),
    });
    await expect(deploy(dir)).rejects.toThrow(
      /function\.json: layers: arn:aws:lambda:us-east-1:000000000000:layer:nothing:1: no such layer version/,
    );
  });

  it("refuses reserved environment variables and aliases to missing versions, naming function.json", async () => {
    const reserved = writePackage({ "index.js": "", "function.json": JSON.stringify({ environment: { AWS_REGION: "x" } }) });
    await expect(deploy(reserved)).rejects.toThrow(FunctionFolderError);
    await expect(deploy(reserved)).rejects.toThrow(/function\.json: .*reserved keys.*AWS_REGION/);
    const missing = writePackage({ "index.js": "", "function.json": JSON.stringify({ aliases: { live: "7" } }) });
    await expect(deploy(missing)).rejects.toThrow(/function\.json: alias live: Function not found/);
  });

  it("validates a component function's component (runtime wasm32-wasip2) before anything is registered", async () => {
    const components = new ComponentCache(path.join(dataDir, "components"));
    const deployComponent = (dir: string) =>
      deployFolder(readFunctionFolder(dir), opened.registry, opened.code, "000000000000", undefined, undefined, components);
    const good = writePackage({ "function.json": JSON.stringify({ runtime: "wasm32-wasip2", handler: "hello.wasm" }) });
    copyFileSync(path.resolve(import.meta.dirname, "../../wasm/examples/hello-wat/hello.wasm"), path.join(good, "hello.wasm"));
    expect(await deployComponent(good)).toBe("created");
    const bad = writePackage({
      "hello.wasm": "not wasm",
      "function.json": JSON.stringify({ runtime: "wasm32-wasip2", handler: "hello.wasm" }),
    });
    await expect(deployComponent(bad)).rejects.toThrow(FunctionFolderError);
    await expect(deployComponent(bad)).rejects.toThrow(/Invalid WebAssembly component: /);
    expect(opened.registry.getVersion(path.basename(bad))).toBeUndefined();
  });
});
