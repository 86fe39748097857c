import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import type { LayerRef, NewLayerVersion, StoredCode } from "../../src/registry/types.js";
import { expectLambdaError, LAMBDA_TIME, removeTempDirs, SETTINGS, tempDir, zipOf } from "./helpers.js";

let dataDir: string;
let opened: OpenedRegistry;
let codeA: StoredCode;
let codeB: StoredCode;

beforeEach(async () => {
  dataDir = tempDir();
  opened = openRegistry(dataDir);
  codeA = await opened.code.put(zipOf({ "nodejs/node_modules/a/index.js": "module.exports = 'a';" }));
  codeB = await opened.code.put(zipOf({ "nodejs/node_modules/b/index.js": "module.exports = 'b';" }));
});
afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const registry = () => opened.registry;
const publish = (layerName: string, extra: Partial<NewLayerVersion> = {}) =>
  registry().publishLayerVersion({
    layerName,
    description: "",
    compatibleRuntimes: [],
    compatibleArchitectures: [],
    code: codeA,
    ...extra,
  });

describe("layer versions in the registry", () => {
  it("numbers versions per layer and keeps what was published", () => {
    const first = publish("lib", { description: "d", licenseInfo: "MIT", compatibleRuntimes: ["nodejs20.x"] });
    expect(first).toEqual({
      layerName: "lib",
      version: 1,
      description: "d",
      licenseInfo: "MIT",
      compatibleRuntimes: ["nodejs20.x"],
      compatibleArchitectures: [],
      codeSha256: codeA.codeSha256,
      codeSize: codeA.codeSize,
      createdDate: expect.stringMatching(LAMBDA_TIME),
    });
    expect(publish("lib", { code: codeB }).version).toBe(2);
    expect(publish("other").version).toBe(1);
    expect(registry().getLayerVersion("lib", 1)).toEqual(first);
    expect(registry().getLayerVersion("lib", 3)).toBeUndefined();
  });

  it("never reuses a version number, even after every version was deleted and the registry reopened", () => {
    publish("lib");
    publish("lib");
    registry().deleteLayerVersion("lib", 1);
    registry().deleteLayerVersion("lib", 2);
    registry().deleteLayerVersion("lib", 2);
    expect(registry().listLayers({}).items).toEqual([]);
    opened.registry.close();
    opened = openRegistry(dataDir);
    expect(publish("lib").version).toBe(3);
  });

  it("pages versions newest first, and layers by name", () => {
    for (let i = 0; i < 5; i += 1) publish("lib");
    publish("alpha");
    const first = registry().listLayerVersions("lib", { maxItems: 2 });
    const second = registry().listLayerVersions("lib", { maxItems: 2, marker: first.nextMarker });
    const third = registry().listLayerVersions("lib", { maxItems: 2, marker: second.nextMarker });
    expect([first, second, third].map((p) => p.items.map((v) => v.version))).toEqual([[5, 4], [3, 2], [1]]);
    expect(third.nextMarker).toBeUndefined();
    const layers = registry().listLayers({ maxItems: 1 });
    expect(layers.items.map((v) => [v.layerName, v.version])).toEqual([["alpha", 1]]);
    expect(
      registry()
        .listLayers({ marker: layers.nextMarker })
        .items.map((v) => [v.layerName, v.version]),
    ).toEqual([["lib", 5]]);
  });

  it("refuses a marker it did not make", async () => {
    await expectLambdaError(
      () => registry().listLayerVersions("lib", { marker: "bogus" }),
      "InvalidParameterValueException",
      "Invalid Marker: bogus",
    );
  });

  it("counts layers in the code storage, also those only a function still pins", async () => {
    const layer = publish("lib", { code: codeB });
    const functionCode = await opened.code.put(zipOf({ "index.js": "exports.handler = async () => 1;" }));
    const pinned: LayerRef = {
      arn: "arn:aws:lambda:us-east-1:000000000000:layer:lib:1",
      codeSha256: layer.codeSha256,
      codeSize: layer.codeSize,
    };
    registry().createFunction({ functionName: "fn", ...SETTINGS, layers: [pinned], code: functionCode });
    expect(registry().codeStorageBytes()).toBe(functionCode.codeSize + codeB.codeSize);
    registry().deleteLayerVersion("lib", 1);
    expect(registry().codeStorageBytes()).toBe(functionCode.codeSize + codeB.codeSize);
    expect(registry().getVersion("fn")?.layers).toEqual([pinned]);
  });
});
