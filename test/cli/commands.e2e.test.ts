/**
 * The commands that talk to a running server (deploy, functions list, invoke), run as child
 * processes against a real server; and what they say when something is wrong.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useServer, zipOf } from "../api/server.js";
import { isolambda } from "./cli.js";

const server = useServer();
const dir = mkdtempSync(path.join(tmpdir(), "isolambda-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const at = path.join(dir, name);
  mkdirSync(at, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(at, file), text);
  return at;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("isolambda deploy, functions list and invoke", () => {
  it("deploys a folder with its function.json, then updates it, publishing a version and moving its alias", async () => {
    const greeter = folder("greeter", {
      "index.js": "exports.handler = async (e) => ({ hi: e.name });",
      "function.json": JSON.stringify({ memorySize: 256, aliases: { live: "1" } }),
    });
    const created = await isolambda(["deploy", greeter, "--endpoint", server.url]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/greeter created: version 1, aliases live → 1/) });

    writeFileSync(path.join(greeter, "index.js"), "exports.handler = async (e) => ({ hello: e.name });");
    writeFileSync(path.join(greeter, "function.json"), JSON.stringify({ memorySize: 512, aliases: { live: "2" } }));
    const updated = await isolambda(["deploy", greeter, "--endpoint", server.url]);
    expect(updated).toMatchObject({ code: 0, stdout: expect.stringMatching(/greeter updated: version 2, aliases live → 2/) });

    const again = await isolambda(["deploy", greeter, "--endpoint", server.url]);
    expect(again.stdout).toMatch(/greeter unchanged: version 2/);

    const invoked = await isolambda(["invoke", "greeter:live", "--payload", '{"name":"ann"}', "--endpoint", server.url]);
    expect(invoked).toMatchObject({ code: 0, stdout: '{"hello":"ann"}\n', stderr: expect.stringContaining("REPORT RequestId") });

    const listed = await isolambda(["functions", "list", "--json", "--endpoint", server.url]);
    expect(JSON.parse(listed.stdout)).toContainEqual({
      name: "greeter",
      runtime: "nodejs20.x",
      state: "Active",
      versions: ["1", "2"],
      aliases: ["live→2"],
    });
    const table = await isolambda(["functions", "list", "--endpoint", server.url]);
    expect(table.stdout).toMatch(/^NAME +RUNTIME +STATE +VERSIONS +ALIASES\n/);
    expect(table.stdout).toMatch(/greeter +nodejs20\.x +Active +1-2 +live→2/);
    // Piped output carries no colour codes.
    expect(table.stdout).not.toContain("\x1b[");
  });

  it("deploys a zip with a handler and runtime from the options", async () => {
    const zip = path.join(dir, "zipped.zip");
    writeFileSync(zip, zipOf({ "app.mjs": "export const main = async () => 'from a zip';" }));
    const deployed = await isolambda(["deploy", zip, "--handler", "app.main", "--endpoint", server.url]);
    expect(deployed).toMatchObject({ code: 0, stdout: expect.stringMatching(/zipped created: version 1/) });
    expect((await isolambda(["invoke", "zipped", "--endpoint", server.url])).stdout).toBe('"from a zip"\n');
  });

  it("exits 1 with a readable message for an unknown function, a function error, bad input and no server", async () => {
    const unknown = await isolambda(["invoke", "nobody", "--endpoint", server.url]);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^isolambda: nobody: ResourceNotFoundException: Function not found/),
    });

    await server.create("thrower", "exports.handler = async () => { throw new TypeError('no'); };");
    const failed = await isolambda(["invoke", "thrower", "--endpoint", server.url]);
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining('"errorType":"TypeError"') });

    const badFile = await isolambda(["invoke", "thrower", "--payload", "@/nonexistent.json", "--endpoint", server.url]);
    expect(badFile).toMatchObject({ code: 1, stderr: expect.stringMatching(/--payload @\/nonexistent\.json: ENOENT/) });

    const notAFolder = await isolambda(["deploy", path.join(dir, "missing"), "--endpoint", server.url]);
    expect(notAFolder).toMatchObject({ code: 1, stderr: expect.stringMatching(/missing: no such folder or zip file/) });

    const badJson = folder("broken", { "index.js": "", "function.json": '{\n  "timeout": 0\n}' });
    const refused = await isolambda(["deploy", badJson, "--endpoint", server.url]);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/function\.json:2: timeout: /) });

    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [
      ["invoke", "x"],
      ["functions", "list"],
      ["deploy", badJson.replace("broken", "greeter")],
    ]) {
      const run = await isolambda([...args, "--endpoint", nowhere]);
      expect(run).toMatchObject({
        code: 1,
        stderr: `isolambda: no isolambda server at ${nowhere}; start one with \`isolambda serve\` (or pass --endpoint)\n`,
      });
    }
  });

  it("answers --help for every command, and refuses an unknown one", async () => {
    for (const command of [[], ["serve"], ["invoke"], ["deploy"], ["logs"], ["functions"], ["functions", "list"], ["bench"]]) {
      const help = await isolambda([...command, "--help"]);
      expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: isolambda/) });
    }
    expect((await isolambda(["--help"])).stdout).toMatch(/serve.*\n.*invoke.*\n.*deploy.*\n.*logs.*\n.*functions.*\n.*bench/s);
    const unknown = await isolambda(["depoly"]);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown command 'depoly'") });
  });
});
