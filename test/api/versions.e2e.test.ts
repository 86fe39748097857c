import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer();
const decoder = new TextDecoder();
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const ROLE = "arn:aws:iam::000000000000:role/r";

function handlerZip(version: number): Uint8Array {
  return zipSync({
    "index.js": strToU8(`exports.handler = async (e, context) => ({ v: ${version}, client: context.clientContext ?? null });`),
  });
}

describe("versions and aliases through @aws-sdk/client-lambda", () => {
  it("publishes versions, routes an alias by weight, and reports the executed version", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "weighted",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Code: { ZipFile: handlerZip(1) },
        Role: ROLE,
      }),
    );
    const v1 = await api.client.send(new PublishVersionCommand({ FunctionName: "weighted" }));
    expect(v1.Version).toBe("1");
    expect(v1.FunctionArn).toBe(`${ARN}:weighted:1`);
    const again = await api.client.send(new PublishVersionCommand({ FunctionName: "weighted" }));
    expect(again.Version).toBe("1");

    await api.client.send(new UpdateFunctionCodeCommand({ FunctionName: "weighted", ZipFile: handlerZip(2) }));
    const v2 = await api.client.send(new PublishVersionCommand({ FunctionName: "weighted", Description: "second" }));
    expect(v2).toMatchObject({ Version: "2", Description: "second" });
    const versions = await api.client.send(new ListVersionsByFunctionCommand({ FunctionName: "weighted" }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);

    const alias = await api.client.send(
      new CreateAliasCommand({
        FunctionName: "weighted",
        Name: "live",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.3 } },
      }),
    );
    expect(alias).toMatchObject({
      AliasArn: `${ARN}:weighted:live`,
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.3 } },
    });

    const executed: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const out = await api.client.send(new InvokeCommand({ FunctionName: "weighted", Qualifier: "live" }));
      const version = out.ExecutedVersion ?? "?";
      executed[version] = (executed[version] ?? 0) + 1;
      expect((JSON.parse(decoder.decode(out.Payload)) as { v: number }).v).toBe(Number(version));
    }
    // 400 draws at p = 0.3: mean 120, standard deviation ~9; the bounds sit more than 4 deviations out.
    expect(executed["2"]).toBeGreaterThan(80);
    expect(executed["2"]).toBeLessThan(160);
    expect((executed["1"] ?? 0) + (executed["2"] ?? 0)).toBe(400);

    const direct = await api.client.send(new InvokeCommand({ FunctionName: "weighted:2" }));
    expect(direct.ExecutedVersion).toBe("2");

    await expect(api.client.send(new DeleteFunctionCommand({ FunctionName: "weighted", Qualifier: "2" }))).rejects.toBeInstanceOf(
      ResourceConflictException,
    );
    const moved = await api.client.send(
      new UpdateAliasCommand({
        FunctionName: "weighted",
        Name: "live",
        FunctionVersion: "2",
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    expect(moved.FunctionVersion).toBe("2");
    expect(moved.RevisionId).not.toBe(alias.RevisionId);
    const listed = await api.client.send(new ListAliasesCommand({ FunctionName: "weighted" }));
    expect(listed.Aliases?.map((a) => [a.Name, a.FunctionVersion])).toEqual([["live", "2"]]);
    await api.client.send(new DeleteAliasCommand({ FunctionName: "weighted", Name: "live" }));
    await expect(api.client.send(new GetAliasCommand({ FunctionName: "weighted", Name: "live" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("passes ClientContext to the handler", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "ctx",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: handlerZip(1) },
      }),
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: "t1" } })).toString("base64");
    const out = await api.client.send(new InvokeCommand({ FunctionName: "ctx", ClientContext: clientContext }));
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ v: 1, client: { custom: { tenant: "t1" } } });
  });

  it("tags functions by ARN and reports account settings", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "tagged",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: handlerZip(1) },
        Tags: { team: "a" },
      }),
    );
    await api.client.send(new TagResourceCommand({ Resource: `${ARN}:tagged`, Tags: { env: "dev" } }));
    await api.client.send(new UntagResourceCommand({ Resource: `${ARN}:tagged`, TagKeys: ["team"] }));
    expect((await api.client.send(new ListTagsCommand({ Resource: `${ARN}:tagged` }))).Tags).toEqual({ env: "dev" });
    const settings = await api.client.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit?.CodeSizeUnzipped).toBe(262144000);
    expect(settings.AccountUsage?.FunctionCount).toBeGreaterThanOrEqual(3);
  });

  it("stays consistent under 50 concurrent creates, updates and invokes", async () => {
    await api.client.send(
      new CreateFunctionCommand({
        FunctionName: "busy",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: handlerZip(1) },
      }),
    );
    const ops = Array.from({ length: 50 }, (_, i) => {
      if (i % 3 === 0)
        return api.client.send(
          new CreateFunctionCommand({
            FunctionName: `many-${i}`,
            Runtime: "nodejs20.x",
            Handler: "index.handler",
            Role: ROLE,
            Code: { ZipFile: handlerZip(i) },
          }),
        );
      if (i % 3 === 1) return api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "busy", Description: `d${i}` }));
      return api.client.send(new InvokeCommand({ FunctionName: "busy" }));
    });
    const results = await Promise.allSettled(ops);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    for (let i = 0; i < 50; i += 3) {
      const out = await api.client.send(new InvokeCommand({ FunctionName: `many-${i}` }));
      expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ v: i });
    }
  });
});
