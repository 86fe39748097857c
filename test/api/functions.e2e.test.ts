import { createHash } from "node:crypto";
import {
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListFunctionsCommand,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { useServer, zipOf } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();

const HANDLER_V1 = zipOf({ "index.js": "exports.handler = async (e) => ({ v: 1, stage: process.env.STAGE ?? null, echo: e });" });
const HANDLER_V2 = zipOf({ "index.js": "exports.handler = async () => ({ v: 2 });" });

async function invoke(name: string, event: unknown = {}): Promise<unknown> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
  return JSON.parse(decoder.decode(out.Payload));
}

const create = (name: string, zip = HANDLER_V1, extra: Partial<CreateFunctionCommandInput> = {}) => api.create(name, zip, extra);

describe("the life of a function through @aws-sdk/client-lambda", () => {
  it("creates, reads, invokes, updates and deletes a function", async () => {
    const created = await create("life", HANDLER_V1, { MemorySize: 256, Timeout: 5, Description: "first" });
    expect(created).toMatchObject({
      FunctionName: "life",
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:life",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      MemorySize: 256,
      Timeout: 5,
      Description: "first",
      Version: "$LATEST",
      State: "Active",
      LastUpdateStatus: "Successful",
      CodeSize: HANDLER_V1.length,
      CodeSha256: createHash("sha256").update(HANDLER_V1).digest("base64"),
    });
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const got = await api.client.send(new GetFunctionCommand({ FunctionName: "life" }));
    expect(got.Configuration?.RevisionId).toBe(created.RevisionId);
    expect(await invoke("life", { a: 1 })).toEqual({ v: 1, stage: null, echo: { a: 1 } });

    const configured = await api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "life", Environment: { Variables: { STAGE: "dev" } } }),
    );
    expect(configured.RevisionId).not.toBe(created.RevisionId);
    expect(configured.MemorySize).toBe(256);
    expect(await invoke("life")).toMatchObject({ v: 1, stage: "dev" });

    const updated = await api.client.send(new UpdateFunctionCodeCommand({ FunctionName: "life", ZipFile: HANDLER_V2 }));
    expect(updated.CodeSha256).toBe(createHash("sha256").update(HANDLER_V2).digest("base64"));
    expect(await invoke("life")).toEqual({ v: 2 });

    await api.client.send(new DeleteFunctionCommand({ FunctionName: "life" }));
    await expect(api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "life" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(api.client.send(new InvokeCommand({ FunctionName: "life" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("lists functions page by page", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await create(name);
    const first = await api.client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(["page-a", "page-b"]);
    expect(first.NextMarker).toBeTruthy();
    const second = await api.client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(["page-c"]);
    expect(second.NextMarker).toBeUndefined();
  });

  it("refuses bad requests with the SDK's exception classes", async () => {
    await create("conflict");
    await expect(create("conflict")).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(create("reserved", HANDLER_V1, { Environment: { Variables: { AWS_REGION: "x" } } })).rejects.toThrow(
      InvalidParameterValueException,
    );
    await expect(create("corrupt", strToU8("not a zip"))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(create("small", HANDLER_V1, { MemorySize: 64 })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(
        /Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128/,
      ),
    });
    await expect(
      api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "conflict", Timeout: 10, RevisionId: "stale" })),
    ).rejects.toBeInstanceOf(PreconditionFailedException);
  });

  it("keeps everything across a server restart", async () => {
    const created = await create("durable");
    await api.restart();
    const got = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "durable" }));
    expect(got.RevisionId).toBe(created.RevisionId);
    expect(got.CodeSha256).toBe(created.CodeSha256);
    expect(await invoke("durable", { x: 1 })).toMatchObject({ v: 1, echo: { x: 1 } });
  });
});
