import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RegExpRouter } from "hono/router/reg-exp-router";
const origAdd = RegExpRouter.prototype.add;
const paths: string[] = [];
RegExpRouter.prototype.add = function (m: string, p: string, h: unknown) { paths.push(`${m} ${p}`); return origAdd.call(this, m, p, h); };
const origMatch = RegExpRouter.prototype.match;
RegExpRouter.prototype.match = function (m: string, p: string) { try { return origMatch.call(this, m, p); } catch (e) { console.log("RegExpRouter refused:", (e as Error).message, (e as Error).name); throw e; } };
const { startServer } = await import("../dist/server.js");
const s = await startServer({ port: 0, host: "127.0.0.1", dataDir: mkdtempSync(path.join(os.tmpdir(), "r-")), functionsDir: "functions", executors: 1 });
await (await fetch(`${s.url}/2015-03-31/functions/hello/invocations`, { method: "POST", body: "{}" })).text();
// bisect: find minimal failing route
for (let i = 1; i <= paths.length; i++) {
  const r = new RegExpRouter<number>();
  try { for (const x of paths.slice(0, i)) { const [m, p] = x.split(" "); r.add(m!, p!, 1); } r.match("GET", "/x"); } catch (e) { console.log("first failing route:", paths[i - 1]); console.log(paths.slice(0, i - 1).join("\n")); break; }
}
await s.close();
