import { createHash } from "node:crypto";
import {
  type CreateFunctionCommandInput,
  DeleteLayerVersionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();
const LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer:";
const LAMBDA_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

/** A layer whose content is a Node.js package `greeting` answering `word`. */
function greetingLayer(word: string): Uint8Array {
  return zipOf({
    "nodejs/node_modules/greeting/package.json": JSON.stringify({ name: "greeting", main: "lib/index.js" }),
    "nodejs/node_modules/greeting/lib/index.js": `module.exports = (name) => require("./word") + ", " + name;`,
    "nodejs/node_modules/greeting/lib/word.js": `module.exports = ${JSON.stringify(word)};`,
  });
}

const USES_GREETING = zipOf({ "index.js": `const greet = require("greeting");\nexports.handler = async (e) => greet(e.name);` });

function publish(name: string, zip: Uint8Array, extra: Partial<ConstructorParameters<typeof PublishLayerVersionCommand>[0]> = {}) {
  return api.client.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: zip }, ...extra }));
}

const createFunction = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => api.create(name, USES_GREETING, extra);

async function invoke(name: string, event: unknown, qualifier?: string): Promise<unknown> {
  const out = await api.client.send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
  return JSON.parse(decoder.decode(out.Payload));
}

describe("layer versions through @aws-sdk/client-lambda", () => {
  it("publishes numbered versions with Lambda's shape, and gets, lists and deletes them", async () => {
    const zip = greetingLayer("hello");
    const first = await publish("shapes", zip, {
      Description: "first",
      LicenseInfo: "MIT",
      CompatibleRuntimes: ["nodejs20.x", "nodejs22.x"],
      CompatibleArchitectures: ["x86_64"],
    });
    expect(first).toMatchObject({
      LayerArn: `${LAYER_ARN}shapes`,
      LayerVersionArn: `${LAYER_ARN}shapes:1`,
      Version: 1,
      Description: "first",
      LicenseInfo: "MIT",
      CompatibleRuntimes: ["nodejs20.x", "nodejs22.x"],
      CompatibleArchitectures: ["x86_64"],
      Content: { CodeSha256: createHash("sha256").update(zip).digest("base64"), CodeSize: zip.length },
    });
    expect(first.CreatedDate).toMatch(LAMBDA_TIME);
    const second = await publish("shapes", greetingLayer("hi"), { CompatibleRuntimes: ["python3.12"] });
    expect(second).toMatchObject({ Version: 2, Description: "", CompatibleRuntimes: ["python3.12"], CompatibleArchitectures: [] });
    expect(second.LicenseInfo).toBeUndefined();

    const got = await api.client.send(new GetLayerVersionCommand({ LayerName: "shapes", VersionNumber: 1 }));
    expect(got).toMatchObject({ LayerVersionArn: first.LayerVersionArn, Description: "first", Content: first.Content });
    // Content.Location serves the zip as published.
    const download = await fetch(got.Content?.Location as string);
    expect(download.headers.get("content-type")).toBe("application/zip");
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(zip);
    const byArn = await api.client.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER_ARN}shapes:2` }));
    expect(byArn).toMatchObject({ Version: 2, LayerArn: `${LAYER_ARN}shapes` });
    const byLayerArn = await api.client.send(new GetLayerVersionCommand({ LayerName: `${LAYER_ARN}shapes`, VersionNumber: 2 }));
    expect(byLayerArn.Version).toBe(2);

    const listed = await api.client.send(new ListLayerVersionsCommand({ LayerName: "shapes" }));
    expect(listed.LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
    expect(listed.LayerVersions?.[1]).toEqual({
      LayerVersionArn: `${LAYER_ARN}shapes:1`,
      Version: 1,
      Description: "first",
      CreatedDate: first.CreatedDate,
      CompatibleRuntimes: ["nodejs20.x", "nodejs22.x"],
      LicenseInfo: "MIT",
      CompatibleArchitectures: ["x86_64"],
    });
    const forNode = await api.client.send(new ListLayerVersionsCommand({ LayerName: "shapes", CompatibleRuntime: "nodejs22.x" }));
    expect(forNode.LayerVersions?.map((v) => v.Version)).toEqual([1]);

    await api.client.send(new DeleteLayerVersionCommand({ LayerName: "shapes", VersionNumber: 2 }));
    await expect(api.client.send(new GetLayerVersionCommand({ LayerName: "shapes", VersionNumber: 2 }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "The resource you requested does not exist.",
    });
    expect((await fetch(second.Content?.Location as string)).status).toBe(404);
    // Deleting again, or a version that never was, is no error; numbers are never reused.
    await api.client.send(new DeleteLayerVersionCommand({ LayerName: "shapes", VersionNumber: 2 }));
    await api.client.send(new DeleteLayerVersionCommand({ LayerName: "never", VersionNumber: 7 }));
    expect((await publish("shapes", greetingLayer("hey"))).Version).toBe(3);
  });

  it("lists each layer with its newest matching version, page by page", async () => {
    await publish("list-a", greetingLayer("a1"), { CompatibleRuntimes: ["nodejs20.x"] });
    await publish("list-a", greetingLayer("a2"), { CompatibleRuntimes: ["python3.12"] });
    await publish("list-b", greetingLayer("b1"), { CompatibleRuntimes: ["nodejs20.x"], CompatibleArchitectures: ["arm64"] });
    const all = await api.client.send(new ListLayersCommand({}));
    const ours = all.Layers?.filter((l) => l.LayerName?.startsWith("list-"));
    expect(ours?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([
      ["list-a", 2],
      ["list-b", 1],
    ]);
    expect(ours?.[0]?.LayerArn).toBe(`${LAYER_ARN}list-a`);
    const node = await api.client.send(new ListLayersCommand({ CompatibleRuntime: "nodejs20.x" }));
    expect(
      node.Layers?.filter((l) => l.LayerName?.startsWith("list-")).map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]),
    ).toEqual([
      ["list-a", 1],
      ["list-b", 1],
    ]);
    const arm = await api.client.send(new ListLayersCommand({ CompatibleArchitecture: "arm64" }));
    expect(arm.Layers?.map((l) => l.LayerName)).toEqual(["list-b"]);

    const first = await api.client.send(new ListLayersCommand({ MaxItems: 1 }));
    expect(first.Layers).toHaveLength(1);
    expect(first.NextMarker).toBeTruthy();
    const rest = await api.client.send(new ListLayersCommand({ Marker: first.NextMarker, MaxItems: 50 }));
    expect(rest.Layers?.map((l) => l.LayerName)).not.toContain(first.Layers?.[0]?.LayerName);
  });

  it("refuses bad layer requests as Lambda does", async () => {
    await expect(publish("bad name", greetingLayer("x"))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("at 'layerName' failed to satisfy constraint"),
    });
    await expect(publish("runtimes", greetingLayer("x"), { CompatibleRuntimes: ["cobol"] as never })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must satisfy enum value set"),
    });
    await expect(publish("corrupt", new TextEncoder().encode("not a zip"))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(api.client.send(new GetLayerVersionCommand({ LayerName: "shapes", VersionNumber: 0 }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Layer Version Cannot be less than 1",
    });
    await expect(
      api.client.send(new GetLayerVersionByArnCommand({ Arn: "arn:aws:lambda:us-east-1:000000000000:layer:nothing:1" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(api.client.send(new GetLayerVersionByArnCommand({ Arn: "not-an-arn" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});

describe("functions with layers", () => {
  it("runs a handler that requires a package from its layer under /opt/nodejs/node_modules", async () => {
    const layer = await publish("greeting", greetingLayer("hello"));
    const created = await createFunction("greeter", { Layers: [layer.LayerVersionArn as string] });
    expect(created.Layers).toEqual([{ Arn: layer.LayerVersionArn, CodeSize: layer.Content?.CodeSize }]);
    const got = await api.client.send(new GetFunctionCommand({ FunctionName: "greeter" }));
    expect(got.Configuration?.Layers).toEqual(created.Layers);
    expect(await invoke("greeter", { name: "layers" })).toBe("hello, layers");
  });

  it("pins layer versions in published function versions, even after the layer version is deleted", async () => {
    const v1 = await publish("pinned", greetingLayer("one"));
    const v2 = await publish("pinned", greetingLayer("two"));
    await createFunction("pinner", { Layers: [v1.LayerVersionArn as string] });
    const published = await api.client.send(new PublishVersionCommand({ FunctionName: "pinner" }));
    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pinner", Layers: [v2.LayerVersionArn as string] }));
    await api.client.send(new DeleteLayerVersionCommand({ LayerName: "pinned", VersionNumber: 1 }));

    const old = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "pinner", Qualifier: published.Version }));
    expect(old.Layers?.map((l) => l.Arn)).toEqual([v1.LayerVersionArn]);
    expect(await invoke("pinner", { name: "v1" }, published.Version)).toBe("one, v1");
    expect(await invoke("pinner", { name: "latest" })).toBe("two, latest");

    // Publishing again after a change of layers gives a new version.
    const next = await api.client.send(new PublishVersionCommand({ FunctionName: "pinner" }));
    expect(next.Version).not.toBe(published.Version);
    expect(next.Layers?.map((l) => l.Arn)).toEqual([v2.LayerVersionArn]);
  });

  it("merges layers under /opt in order: a later layer's file overrides an earlier one's", async () => {
    const base = await publish("merge-base", greetingLayer("base"));
    const override = await publish("merge-override", zipOf({ "nodejs/node_modules/greeting/lib/word.js": `module.exports = "override";` }));
    await createFunction("merged", { Layers: [base.LayerVersionArn as string, override.LayerVersionArn as string] });
    expect(await invoke("merged", { name: "x" })).toBe("override, x");
    await api.client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "merged",
        Layers: [override.LayerVersionArn as string, base.LayerVersionArn as string],
      }),
    );
    expect(await invoke("merged", { name: "x" })).toBe("base, x");
  });

  it("refuses Layers that Lambda refuses", async () => {
    const one = await publish("refused", greetingLayer("r1"));
    const two = await publish("refused", greetingLayer("r2"));
    const arn = one.LayerVersionArn as string;
    await expect(createFunction("six", { Layers: [arn, arn, arn, arn, arn, arn] })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Cannot reference more than 5 layers.",
    });
    const missing = `${LAYER_ARN}refused:99`;
    await expect(createFunction("missing", { Layers: [missing] })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: `Layer version ${missing} does not exist.`,
    });
    await expect(createFunction("twice", { Layers: [arn, two.LayerVersionArn as string] })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: `Two different versions of the same layer are not allowed to be referenced in the same function. ${arn} and ${two.LayerVersionArn} are versions of the same layer.`,
    });
    await expect(createFunction("malformed", { Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:refused"] })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("at 'layers' failed to satisfy constraint"),
    });
    await expect(createFunction("elsewhere", { Layers: ["arn:aws:lambda:eu-west-1:000000000000:layer:refused:1"] })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Layers are not in the same region as the function. Layers are expected to be in region us-east-1.",
    });
    await createFunction("unchanged");
    await expect(
      api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "unchanged", Layers: [missing] })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    const still = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "unchanged" }));
    expect(still.Layers).toBeUndefined();
  });
});

describe("EphemeralStorage", () => {
  it("defaults to 512 MB, is accepted from 512 to 10240 MB and refused outside", async () => {
    const plain = await createFunction("storage-default");
    expect(plain.EphemeralStorage).toEqual({ Size: 512 });
    const large = await createFunction("storage-large", { EphemeralStorage: { Size: 10240 } });
    expect(large.EphemeralStorage).toEqual({ Size: 10240 });
    const updated = await api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "storage-default", EphemeralStorage: { Size: 2048 } }),
    );
    expect(updated.EphemeralStorage).toEqual({ Size: 2048 });
    await expect(createFunction("storage-small", { EphemeralStorage: { Size: 511 } })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining(
        "Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512",
      ),
    });
    await expect(
      api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "storage-default", EphemeralStorage: { Size: 10241 } })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must have value less than or equal to 10240"),
    });
  });

  it("sizes the handler's /tmp, and a new configuration gets new environments with an empty /tmp", async () => {
    const source = [
      "const fs = require('fs');",
      "exports.handler = async () => {",
      "  const seen = fs.existsSync('/tmp/mark');",
      "  fs.writeFileSync('/tmp/mark', 'x');",
      "  const { bsize, blocks } = fs.statfsSync('/tmp');",
      "  return { mb: (bsize * blocks) / 1048576, seen };",
      "};",
    ].join("\n");
    await createFunction("sized", { Code: { ZipFile: zipOf({ "index.js": source }) }, EphemeralStorage: { Size: 1024 } });
    expect(await invoke("sized", {})).toEqual({ mb: 1024, seen: false });
    expect(await invoke("sized", {})).toEqual({ mb: 1024, seen: true });
    await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "sized", EphemeralStorage: { Size: 4096 } }));
    expect(await invoke("sized", {})).toEqual({ mb: 4096, seen: false });
  });
});
