// The single binary's entry (Node's single executable application runs it as CommonJS, with only
// built-in modules). Everything isolambda needs on disk — its bundle, the guest runtime, the QuickJS
// wasm, the AWS SDK modules handlers get at /var/runtime/node_modules, better-sqlite3's native
// add-on — travels in the binary as one zip asset and is extracted to a cache directory named by its
// hash on the first run; later runs start from the cache.
const { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const os = require("node:os");
const path = require("node:path");
const sea = require("node:sea");
const { unzipSync } = require("fflate");

function cacheRoot() {
  if (process.env.ISOLAMBDA_CACHE_DIR) return process.env.ISOLAMBDA_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "isolambda");
}

function extract(dir) {
  // Extracted beside its final place and renamed into it, so a run never sees half a tree.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const files = unzipSync(new Uint8Array(sea.getAsset("payload.zip")));
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith("/")) continue;
    const file = path.join(partial, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another first run got there first; its tree is the same one.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
}

const dir = path.join(cacheRoot(), sea.getAsset("payload.sha256", "utf8"));
if (!existsSync(dir)) {
  try {
    mkdirSync(path.dirname(dir), { recursive: true });
    extract(dir);
  } catch (error) {
    console.error(`isolambda: cannot extract the runtime into ${dir} (set ISOLAMBDA_CACHE_DIR to a writable directory): ${error.message}`);
    process.exit(1);
  }
}
// The injected main script cannot import(); a CommonJS file on disk can, and starts the ESM CLI.
createRequire(path.join(dir, "boot.cjs"))("./boot.cjs");
