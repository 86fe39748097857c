// Builds dist/: the TypeScript host with tsc, and the guest runtime (the TypeScript that runs
// inside QuickJS, type-checked by its own src/sandbox/guest/tsconfig.json) with esbuild, bundled once here so no environment pays for bundling. It builds
// into a fresh directory and then swaps it in, so stale files go and a server or test running from
// dist/ meanwhile never finds it half written.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { GUEST_BUNDLE, guestBuiltins } from "./guest-builtins.mjs";

const started = performance.now();
const out = `dist.building-${process.pid}`;
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", ".", "--outDir", out], { stdio: "inherit" });
// package.json's bin: npm marks it executable at install, but every build writes it anew.
chmodSync(`${out}/cli.js`, 0o755);

const guest = "src/sandbox/guest";
const common = GUEST_BUNDLE;
await build({ ...common, entryPoints: [`${guest}/bootstrap.ts`], globalName: "__boot", outfile: `${out}/guest/bootstrap.js` });

// The host loads a built-in's bundle by its name, builtins/<name>.js, whatever its source's extension.
for (const file of readdirSync(`${guest}/builtins`)) {
  const name = file.replace(/\.[jt]s$/, "");
  await build({
    ...common,
    // Node's classes keep their names (constructor.name, util.inspect, "an instance of X" in errors);
    // the bootstrap, evaluated by every runtime, names its few classes itself.
    keepNames: true,
    entryPoints: [`${guest}/builtins/${file}`],
    globalName: "__mod",
    outfile: `${out}/guest/builtins/${name}.js`,
    plugins: [guestBuiltins(name)],
  });
}
const old = `dist.old-${process.pid}`;
if (existsSync("dist")) renameSync("dist", old);
renameSync(out, "dist");
rmSync(old, { recursive: true, force: true });
console.log(`build: dist/ ready in ${Math.round(performance.now() - started)} ms`);
