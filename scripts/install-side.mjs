// `node scripts/install-side.mjs <folder>`: installs a side package (a folder of this repository with
// its own package.json and package-lock.json: bench, wasm, test/corpus, scripts/binary) into its own
// node_modules the first time a command needs it, so the root `npm install` holds only what serving,
// the build and the tests' own code need. It installs again when the lockfile names anything other
// than what npm last installed there; otherwise it returns at once (two JSON files compared).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const side = process.argv[2];
const dir = path.resolve(root, side ?? "");
if (side === undefined || !dir.startsWith(`${root}${path.sep}`) || !existsSync(path.join(dir, "package-lock.json"))) {
  console.error("usage: node scripts/install-side.mjs <folder> (a folder of the repository with package.json and package-lock.json)");
  process.exit(2);
}
const name = path.relative(root, dir).split(path.sep).join("/");
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/**
 * npm ci writes node_modules/.package-lock.json last, with the lockfile's entries of the packages it
 * installed: an interrupted install has none, and an optional package of another platform is absent.
 */
function installed() {
  const hidden = path.join(dir, "node_modules", ".package-lock.json");
  if (!existsSync(hidden)) return false;
  const { packages: done } = readJson(hidden);
  const { packages: wanted } = readJson(path.join(dir, "package-lock.json"));
  for (const [key, entry] of Object.entries(wanted)) {
    if (key !== "" && !isDeepStrictEqual(done[key], entry) && !(done[key] === undefined && entry.optional)) return false;
  }
  return Object.keys(done).every((key) => key in wanted);
}

// npm ci empties node_modules first: two commands installing one side package at once (test runs in
// one checkout) would pull it from under each other, so the second waits and then finds it installed.
const lock = path.join(tmpdir(), `isolambda-install-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.lock`);
function takeLock() {
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const holder = lockHolder();
    if (holder === "running") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    else if (holder === "dead") rmSync(lock, { force: true });
  }
}
/** Whether the lock's holder still runs; a lock without a pid yet is one its holder is still writing. */
function lockHolder() {
  let pid;
  try {
    pid = Number(readFileSync(lock, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return "released";
    throw error;
  }
  if (!(pid > 0)) return "running";
  try {
    process.kill(pid, 0);
    return "running";
  } catch (error) {
    return error.code === "EPERM" ? "running" : "dead";
  }
}

function install() {
  const count = Object.keys(readJson(path.join(dir, "package.json")).dependencies ?? {}).length;
  process.stderr.write(`${name}: installing ${count} package${count === 1 ? "" : "s"} into ${name}/node_modules (once) ... `);
  const started = performance.now();
  // npm ci installs exactly the lockfile, so every machine tests, benchmarks and builds with the same versions.
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  if (npm.status === 0) return console.error(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.error(`\n${name}: npm ci failed (exit ${npm.status ?? npm.signal}); the command that needed it cannot run`);
  process.exitCode = 1;
}

if (!installed()) {
  takeLock();
  try {
    if (!installed()) install();
  } finally {
    rmSync(lock, { force: true });
  }
}
