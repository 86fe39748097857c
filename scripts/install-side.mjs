// `node scripts/install-side.mjs <bench|wasm>`: installs a side package (the benchmark's peers, the
// example components' builders) into its own node_modules the first time a command needs it, so
// the root `npm install` holds only what serving and `npm test` need. Installs again when the side
// package's lockfile names another version than the one installed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const side = process.argv[2];
const dir = path.resolve(import.meta.dirname, "..", side ?? "");
if (side === undefined || !existsSync(path.join(dir, "package-lock.json"))) {
  console.error("usage: node scripts/install-side.mjs <bench|wasm> (a folder with package.json and package-lock.json)");
  process.exit(2);
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const lock = readJson(path.join(dir, "package-lock.json"));
const stale = Object.keys(readJson(path.join(dir, "package.json")).dependencies ?? {}).filter((name) => {
  const installed = path.join(dir, "node_modules", name, "package.json");
  return !existsSync(installed) || readJson(installed).version !== lock.packages[`node_modules/${name}`]?.version;
});
if (stale.length === 0) process.exit(0);

console.error(`${side}: installing ${stale.join(", ")} into ${side}/node_modules (once; npm's progress follows)`);
// npm ci installs exactly the lockfile, so every machine benchmarks and builds with the same versions.
const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--progress"], { cwd: dir, stdio: "inherit" });
if (npm.status !== 0) {
  console.error(`${side}: npm ci failed (exit ${npm.status ?? npm.signal}); the command that needed it cannot run`);
  process.exit(1);
}
