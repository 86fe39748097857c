/** Layers in the sandbox: their content merged under /opt, and Lambda's NODE_PATH for bare specifiers. */
import { symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { writePackage } from "./fixtures.js";
import { errorOf, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const moduleAnswering = (value: string) => `module.exports = { value: ${JSON.stringify(value)}, file: __filename };`;

describe("/opt", () => {
  it("lets a bare require fall back to the layers' node_modules after the package's own", async () => {
    const layer = writePackage({
      "nodejs/node_modules/only-layer/index.js": moduleAnswering("layer"),
      "nodejs/node_modules/both/index.js": moduleAnswering("layer"),
      "nodejs/node_modules/versioned/index.js": moduleAnswering("generic"),
      "nodejs/node20/node_modules/versioned/index.js": moduleAnswering("node20"),
    });
    const files = {
      "index.js": "exports.handler = async () => ['only-layer', 'both', 'versioned'].map((name) => require(name));",
      "node_modules/both/index.js": moduleAnswering("package"),
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [layer] }))).toEqual([
      { value: "layer", file: "/opt/nodejs/node_modules/only-layer/index.js" },
      { value: "package", file: "/var/task/node_modules/both/index.js" },
      { value: "node20", file: "/opt/nodejs/node20/node_modules/versioned/index.js" },
    ]);
  });

  it("resolves relative requires and dependencies inside /opt, and package.json there", async () => {
    const layer = writePackage({
      "nodejs/node_modules/tool/package.json": JSON.stringify({ name: "tool", main: "src/main.js" }),
      "nodejs/node_modules/tool/src/main.js": "const dep = require('dep'); module.exports = require('./parts/name') + '+' + dep;",
      "nodejs/node_modules/tool/src/parts/name.js": "module.exports = 'tool';",
      "nodejs/node_modules/dep/index.js": "module.exports = 'dep';",
      "config/settings.json": JSON.stringify({ from: "opt" }),
    });
    const files = { "index.js": "exports.handler = async () => [require('tool'), require('/opt/config/settings.json')];" };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [layer] }))).toEqual(["tool+dep", { from: "opt" }]);
  });

  it("merges layers in order, a later layer's file winning", async () => {
    const first = writePackage({ "nodejs/node_modules/lib/index.js": moduleAnswering("first"), "a.json": '"a"' });
    const second = writePackage({ "nodejs/node_modules/lib/index.js": moduleAnswering("second"), "b.json": '"b"' });
    const files = { "index.js": "exports.handler = async () => [require('lib').value, require('/opt/a.json'), require('/opt/b.json')];" };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [first, second] }))).toEqual(["second", "a", "b"]);
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [second, first] }))).toEqual(["first", "a", "b"]);
  });

  it("lets an ES module import a package from a layer, as Lambda's Node.js 18+ runtimes do", async () => {
    const layer = writePackage({
      "nodejs/node_modules/esm-lib/package.json": JSON.stringify({ name: "esm-lib", type: "module", exports: "./index.js" }),
      "nodejs/node_modules/esm-lib/index.js": "export const where = import.meta.url;",
      "nodejs/node_modules/cjs-lib/index.js": "exports.kind = 'cjs';",
    });
    const files = {
      "index.mjs":
        "import { where } from 'esm-lib';\nimport { kind } from 'cjs-lib';\nexport const handler = async () => ({ where, kind });",
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [layer] }))).toEqual({
      where: "file:///opt/nodejs/node_modules/esm-lib/index.js",
      kind: "cjs",
    });
  });

  it("finds nothing in /opt without layers, and a bare require still fails as in Node", async () => {
    const files = { "index.js": "exports.handler = async () => require('missing-everywhere');" };
    expect(errorOf(await invokeOnce(sandbox, files)).errorMessage).toMatch(/^Cannot find module 'missing-everywhere'/);
  });

  it("does not follow a symlink in a layer that leads out of it", async () => {
    const outside = writePackage({ "secret.js": "module.exports = 'host secret';" });
    const layer = writePackage({ "nodejs/node_modules/ok/index.js": "module.exports = 'ok';" });
    symlinkSync(path.join(outside, "secret.js"), path.join(layer, "nodejs/node_modules/escape.js"));
    symlinkSync(outside, path.join(layer, "nodejs/node_modules/escape-dir"));
    const files = {
      "index.js": [
        "const attempt = (name) => { try { return require(name); } catch (e) { return e.code; } };",
        "exports.handler = async () => [attempt('ok'), attempt('/opt/nodejs/node_modules/escape.js'), attempt('escape-dir/secret'),",
        `  attempt('/opt/../' + ${JSON.stringify(outside.slice(1))} + '/secret.js')];`,
      ].join("\n"),
    };
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [layer] }))).toEqual([
      "ok",
      "MODULE_NOT_FOUND",
      "MODULE_NOT_FOUND",
      "MODULE_NOT_FOUND",
    ]);
  });
});
