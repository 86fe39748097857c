/** WebAssembly component functions (runtime wasm32-wasip2) through the AWS SDK and the ALB door. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CreateFunctionCommand, InvokeCommand, type Runtime, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { buildWat } from "../../wasm/build.js";
import { useServer } from "./server.js";

const api = useServer({
  doors: parseConfig({
    doors: [
      {
        type: "alb",
        port: 0,
        rules: [
          { priority: 1, path: "/wat", target: "hello-wat" },
          { priority: 2, path: "/js", target: "hello-js" },
        ],
      },
    ],
  }).doors,
});
const examples = path.resolve(import.meta.dirname, "../../wasm/examples");
const fixtures = path.join(import.meta.dirname, "components");
const decoder = new TextDecoder();

function deploy(
  name: string,
  files: Record<string, Uint8Array>,
  settings: { Timeout?: number; MemorySize?: number; Handler?: string } = {},
) {
  return api.client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      // isolambda's own runtime, which the SDK's enum does not list.
      Runtime: "wasm32-wasip2" as Runtime,
      Handler: Object.keys(files)[0],
      Role: "arn:aws:iam::000000000000:role/test",
      Code: { ZipFile: zipSync(files) },
      ...settings,
    }),
  );
}

async function invoke(name: string, event: unknown = {}) {
  const out = await api.client.send(
    new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)), LogType: "Tail" }),
  );
  return {
    error: out.FunctionError,
    payload: JSON.parse(decoder.decode(out.Payload)) as Record<string, unknown>,
    logs: Buffer.from(out.LogResult ?? "", "base64").toString(),
  };
}

beforeAll(async () => {
  await deploy("hello-wat", { "hello.wasm": readFileSync(path.join(examples, "hello-wat/hello.wasm")) });
  await deploy("hello-js", { "hello.wasm": readFileSync(path.join(examples, "hello-js/hello.wasm")) });
  await deploy("loop", { "loop.wasm": await buildWat(path.join(fixtures, "loop.wat")) }, { Timeout: 1 });
  await deploy("init-loop", { "init-loop.wasm": await buildWat(path.join(fixtures, "init-loop.wat")) });
  await deploy("grow", { "grow.wasm": await buildWat(path.join(fixtures, "grow.wat")) }, { MemorySize: 128 });
  const preopens = await buildWat(path.join(fixtures, "preopens.wat"), { witFile: path.join(fixtures, "preopens.wit"), world: "preopens" });
  await deploy("preopens", { "preopens.wasm": preopens });
  await api.create("node", "exports.handler = async () => 'still here';");
}, 60_000);

describe("component functions", () => {
  it("invokes the WAT example through the SDK, its runtime.log line in the logs", async () => {
    const out = await invoke("hello-wat", { from: "sdk" });
    expect(out.error).toBeUndefined();
    expect(out.payload).toMatchObject({ statusCode: 200, body: "hello from WAT" });
    expect(out.logs).toMatch(/\tINFO\t\{"from":"sdk"\}/);
    expect(out.logs).toMatch(/REPORT RequestId: .*Max Memory Used: \d+ MB/);
  });

  it("invokes the JavaScript example: warm state, context, stdout in the logs, handled errors", async () => {
    const first = await invoke("hello-js", { name: "sdk" });
    expect(first.error).toBeUndefined();
    expect(JSON.parse(String(first.payload.body))).toEqual({ hello: "sdk", invocations: 1, runtime: "wasm32-wasip2" });
    expect(first.logs).toMatch(/\tINFO\trequest [\w-]+ for hello-js, \d+ ms left/);
    expect(first.logs).toContain("invocation 1 of this environment");
    const second = await invoke("hello-js", { name: "again" });
    expect(JSON.parse(String(second.payload.body))).toMatchObject({ invocations: 2 });
    const failed = await invoke("hello-js", { fail: "no name" });
    expect(failed.error).toBe("Unhandled");
    expect(failed.payload).toEqual({ errorType: "BadRequest", errorMessage: "no name", trace: [] });
    // A handled error keeps the environment.
    expect(JSON.parse(String((await invoke("hello-js")).payload.body))).toMatchObject({ invocations: 4 });
  });

  it("serves both examples through the ALB door", async () => {
    const wat = await fetch(`${api.door(0)}/wat`);
    expect(wat.status).toBe(200);
    expect(await wat.text()).toBe("hello from WAT");
    const js = await fetch(`${api.door(0)}/js`);
    expect(js.status).toBe(200);
    expect(await js.json()).toMatchObject({ hello: "/js", runtime: "wasm32-wasip2" });
  });

  it("times out a component that never returns; its executor is replaced and the server stays healthy", async () => {
    const out = await invoke("loop");
    expect(out.error).toBe("Unhandled");
    expect(out.payload).toMatchObject({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringContaining("Task timed out after 1.00 seconds"),
    });
    expect((await invoke("hello-wat")).payload).toMatchObject({ statusCode: 200 });
    expect((await invoke("node")).payload).toBe("still here");
  });

  it("ends an INIT that never returns after Lambda's 10 s, replacing its executor", async () => {
    const out = await invoke("init-loop");
    expect(out.error).toBe("Unhandled");
    expect(out.payload).toMatchObject({ errorType: "Runtime.InitError", errorMessage: "INIT phase timed out after 10.00 seconds" });
    expect((await invoke("hello-wat")).payload).toMatchObject({ statusCode: 200 });
    expect((await invoke("node")).payload).toBe("still here");
  }, 30_000);

  it("fails a component that grows its memory past MemorySize with Runtime.OutOfMemory, and starts a new one", async () => {
    for (let i = 0; i < 2; i++) {
      const out = await invoke("grow");
      expect(out.error).toBe("Unhandled");
      expect(out.payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    }
    expect((await invoke("hello-wat")).payload).toMatchObject({ statusCode: 200 });
  });

  it("gives a component no preopened directory, so no host file can be named", async () => {
    expect((await invoke("preopens")).payload).toBe("preopens: 0");
  });

  it("rejects a malformed component at CreateFunction and UpdateFunctionCode with InvalidParameterValueException", async () => {
    await expect(deploy("garbage", { "bad.wasm": new TextEncoder().encode("not wasm") })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringMatching(/^Invalid WebAssembly component: .+/),
    });
    // A core module is valid WebAssembly but not a component.
    await expect(deploy("core", { "core.wasm": new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
    });
    await expect(deploy("no-handler", { "hello.wasm": new Uint8Array() }, { Handler: "index.handler" })).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("path of its .wasm file"),
    });
    await expect(
      api.client.send(
        new UpdateFunctionCodeCommand({ FunctionName: "hello-wat", ZipFile: zipSync({ "hello.wasm": new Uint8Array([1, 2, 3]) }) }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    expect((await invoke("hello-wat")).payload).toMatchObject({ statusCode: 200 });
  });
});
