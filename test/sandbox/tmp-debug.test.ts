import { it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { invokeOnce, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((s) => {
  sandbox = s;
});
it("debug", async () => {
  const src = `const zlib = require('node:zlib'); const C = zlib.constants;
exports.handler = async () => {
  const json = Buffer.from(JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ id: i, name: 'item' + i }))));
  const out = [];
  for (let i = 0; i < 40; i++) { const packed = zlib.brotliCompressSync(json, { params: { [C.BROTLI_PARAM_QUALITY]: 4 } }); out.push(zlib.brotliDecompressSync(packed).length); }
  return out.length;
};`;
  const r = await invokeOnce(sandbox, { "index.js": src }, {}, { memorySizeMB: 1024, timeoutSeconds: 30 });
  console.log(r.payload, r.functionError, r.logs);
});
