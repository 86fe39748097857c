import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  InvokeCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  ResourceConflictException,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { openFiles, openFilesUnder } from "../observe/open-files.js";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const ROLE = "arn:aws:iam::000000000000:role/r";
const decoder = new TextDecoder();

/** Packages on disk: `<hex>/` and `<hex>.zip` per package, and any temporary entry. */
const codeEntries = () => readdirSync(path.join(api.dataDir, "code")).sort();
const logsDir = () => path.join(api.dataDir, "logs");

function handler(answer: string): Uint8Array {
  return zipOf({ "index.js": `exports.handler = async () => ${JSON.stringify(answer)};` });
}

function create(name: string, zip: Uint8Array, layers?: string[]) {
  return api.client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: zip },
      Layers: layers,
    }),
  );
}

async function invoke(name: string, qualifier?: string): Promise<unknown> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
  expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
  return JSON.parse(decoder.decode(out.Payload));
}

async function cycle(name: string): Promise<void> {
  await create(name, handler(name));
  expect(await invoke(name)).toBe(name);
  await api.client.send(new DeleteFunctionCommand({ FunctionName: name }));
}

describe("create/invoke/delete cycles", () => {
  it("end with as many descriptors, log files open and code on disk as they started with", async () => {
    // One cycle first: the executor, the registry's files and the client's connection are opened once for good.
    await cycle("warm-up");
    const fdsBefore = openFiles().length;
    const codeBefore = codeEntries();
    expect(openFilesUnder(logsDir())).toBe(0);
    for (let i = 0; i < 40; i++) await cycle(`cycle-${i}`);
    expect(openFilesUnder(logsDir())).toBe(0);
    expect(codeEntries()).toEqual(codeBefore);
    expect(openFiles().length).toBe(fdsBefore);
    // The log groups stay readable after the functions are gone, as in CloudWatch Logs.
    expect(readdirSync(logsDir())).toContain("cycle-39");
  }, 120_000);
});

describe("code is removed with the last version that uses it", () => {
  it("across UpdateFunctionCode, published versions and DeleteFunction", async () => {
    const before = codeEntries();
    const codeOf = () => codeEntries().filter((name) => !before.includes(name) && !name.endsWith(".zip")).length;
    await create("versions", handler("a"));
    await api.client.send(new PublishVersionCommand({ FunctionName: "versions" }));
    await api.client.send(new UpdateFunctionCodeCommand({ FunctionName: "versions", ZipFile: handler("b") }));
    expect(codeOf()).toBe(2);
    // b was $LATEST's alone; a stays for version 1.
    await api.client.send(new UpdateFunctionCodeCommand({ FunctionName: "versions", ZipFile: handler("c") }));
    expect(codeOf()).toBe(2);
    expect(await invoke("versions", "1")).toBe("a");
    expect(await invoke("versions")).toBe("c");
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "versions", Qualifier: "1" }));
    expect(codeOf()).toBe(1);
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "versions" }));
    expect(codeEntries()).toEqual(before);
  });

  it("keeps a deleted layer version's content while a function pins it", async () => {
    const before = codeEntries();
    const layer = await api.client.send(
      new PublishLayerVersionCommand({
        LayerName: "word",
        Content: { ZipFile: zipOf({ "nodejs/node_modules/word/index.js": "module.exports = 'from the layer';" }) },
      }),
    );
    await create("pins", zipOf({ "index.js": "exports.handler = async () => require('word');" }), [layer.LayerVersionArn ?? ""]);
    await api.client.send(new DeleteLayerVersionCommand({ LayerName: "word", VersionNumber: layer.Version }));
    expect(await invoke("pins")).toBe("from the layer");
    await api.client.send(new DeleteFunctionCommand({ FunctionName: "pins" }));
    expect(codeEntries()).toEqual(before);
  });

  it("keeps nothing of a CreateFunction that failed after its zip was stored", async () => {
    await create("taken", handler("first"));
    const before = codeEntries();
    await expect(create("taken", handler("second"))).rejects.toBeInstanceOf(ResourceConflictException);
    expect(codeEntries()).toEqual(before);
  });
});

describe("starting on a data dir a crash left behind", () => {
  it("removes partial unpackings and packages no row names", async () => {
    await create("survivor", handler("still here"));
    const before = codeEntries();
    const code = path.join(api.dataDir, "code");
    // A pid above Linux's highest (2^22): the process that was unpacking is gone.
    mkdirSync(path.join(code, ".tmp-4194305-0123abcd-x", "node_modules"), { recursive: true });
    mkdirSync(path.join(code, "ab".repeat(32)));
    await api.restart();
    expect(codeEntries()).toEqual(before);
    expect(await invoke("survivor")).toBe("still here");
  });
});
