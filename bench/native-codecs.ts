/**
 * Hashes and encodings, Node in-process against inside the sandbox: the same handler body, timed
 * by the handler itself with performance.now (median of runs), reported as ratios. A short check
 * for issue 25's native built-ins; `node --import tsx bench/native-codecs.ts` after a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { Sandbox } from "../src/sandbox/index.js";

const RUNS = 7;

/** Each case: setup (untimed) and work (timed), as handler source text. */
const CASES: Record<string, { setup: string; work: string }> = {
  "createHash sha256, 1 MB": {
    setup: "const data = Buffer.alloc(1 << 20, 7);",
    work: "require('crypto').createHash('sha256').update(data).digest('hex');",
  },
  "createHash md5, 1 MB": {
    setup: "const data = Buffer.alloc(1 << 20, 7);",
    work: "require('crypto').createHash('md5').update(data).digest('hex');",
  },
  "1,000 × createHmac sha256": {
    setup: "const { createHmac } = require('crypto');",
    work: "for (let i = 0; i < 1000; i++) createHmac('sha256', 'secret-key').update('a small message ' + i).digest('hex');",
  },
  "Buffer base64 encode + decode, 1 MB": {
    setup: "const data = Buffer.alloc(1 << 20, 7); for (let i = 0; i < data.length; i++) data[i] = i * 31;",
    work: "Buffer.from(data.toString('base64'), 'base64');",
  },
  "Buffer hex encode + decode, 1 MB": {
    setup: "const data = Buffer.alloc(1 << 20, 7); for (let i = 0; i < data.length; i++) data[i] = i * 31;",
    work: "Buffer.from(data.toString('hex'), 'hex');",
  },
  "TextEncoder + TextDecoder, 1 MB": {
    setup: "const text = 'héllo wörld, ünïcode ✓ '.repeat(40000);",
    work: "new TextDecoder().decode(new TextEncoder().encode(text));",
  },
};

function handlerSource(setup: string, work: string): string {
  return `${setup}
exports.handler = async () => {
  const times = [];
  for (let run = 0; run < ${RUNS}; run++) {
    const start = performance.now();
    ${work}
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[${RUNS >> 1}];
};`;
}

const dir = mkdtempSync(path.join(tmpdir(), "isolambda-bench-codecs-"));
const sandbox = await Sandbox.start({ executors: 1 });
try {
  let n = 0;
  console.log("| work | Node | isolambda | × |\n|---|---|---|---|");
  for (const [name, { setup, work }] of Object.entries(CASES)) {
    n += 1;
    const codeDir = path.join(dir, String(n));
    mkdirSync(codeDir);
    const file = path.join(codeDir, "index.js");
    writeFileSync(file, handlerSource(setup, work));
    const node = (await createRequire(import.meta.url)(file).handler()) as number;
    const env = await sandbox.createEnvironment({
      functionName: "bench",
      functionVersion: "$LATEST",
      versionKey: `bench:${n}`,
      handler: "index.handler",
      runtime: "nodejs20.x",
      memorySizeMB: 512,
      timeoutSeconds: 120,
      codeDir,
      environment: {},
      region: "us-east-1",
      accountId: "000000000000",
    });
    const result = await env.invoke("{}");
    env.dispose();
    if (result.functionError) throw new Error(`${name}: ${result.payload}`);
    const guest = JSON.parse(result.payload) as number;
    console.log(`| ${name} | ${node.toFixed(2)} ms | ${guest.toFixed(2)} ms | ${(guest / node).toFixed(1)}× |`);
  }
} finally {
  await sandbox.dispose();
  rmSync(dir, { recursive: true, force: true });
}
