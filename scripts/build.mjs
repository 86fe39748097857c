// Builds dist/: the TypeScript host with tsc, and the guest runtime (the JavaScript that runs
// inside QuickJS) with esbuild, bundled once here so no environment pays for bundling.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { GUEST_BUNDLE, guestBuiltins } from "./guest-builtins.mjs";

const started = performance.now();
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { stdio: "inherit" });
// package.json's bin: npm marks it executable at install, but every build writes it anew.
chmodSync("dist/cli.js", 0o755);

const guest = "src/sandbox/guest";
const common = GUEST_BUNDLE;
await build({ ...common, entryPoints: [`${guest}/bootstrap.js`], globalName: "__boot", outfile: "dist/guest/bootstrap.js" });

for (const file of readdirSync(`${guest}/builtins`)) {
  await build({
    ...common,
    entryPoints: [`${guest}/builtins/${file}`],
    globalName: "__mod",
    outfile: `dist/guest/builtins/${file}`,
    plugins: [guestBuiltins(file)],
  });
}
console.log(`build: dist/ ready in ${Math.round(performance.now() - started)} ms`);
