/** `serve --functions`: a function folder whose function.json names a local layer folder runs with it under /opt. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetFunctionConfigurationCommand, InvokeCommand, ListLayerVersionsCommand } from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const root = mkdtempSync(path.join(tmpdir(), "isolambda-folders-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

write("layers/shared-lib/nodejs/node_modules/shared/index.js", "module.exports = (n) => 'shared says ' + n;");
write("functions/uses-layer/index.js", "const shared = require('shared');\nexports.handler = async (e) => shared(e.name);");
write("functions/uses-layer/function.json", JSON.stringify({ layers: ["../../layers/shared-lib"], ephemeralStorage: 1024 }));

const api = useServer({ functionsDir: path.join(root, "functions") });

describe("function folders with layer folders", () => {
  it("publishes the layer folder, attaches it, and the handler requires from it", async () => {
    const versions = await api.client.send(new ListLayerVersionsCommand({ LayerName: "shared-lib" }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([1]);
    const config = await api.client.send(new GetFunctionConfigurationCommand({ FunctionName: "uses-layer" }));
    expect(config.Layers?.map((l) => l.Arn)).toEqual(["arn:aws:lambda:us-east-1:000000000000:layer:shared-lib:1"]);
    expect(config.EphemeralStorage).toEqual({ Size: 1024 });
    const out = await api.client.send(
      new InvokeCommand({ FunctionName: "uses-layer", Payload: new TextEncoder().encode(JSON.stringify({ name: "hi" })) }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toBe("shared says hi");
  });

  it("publishes nothing new when the server starts again on unchanged folders", async () => {
    await api.restart();
    const versions = await api.client.send(new ListLayerVersionsCommand({ LayerName: "shared-lib" }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([1]);
  });
});
