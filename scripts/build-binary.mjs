// `npm run build:binary`: dist/isolambda, one file with Node's single executable application
// support (node --experimental-sea-config, then postject). The CLI and the executor worker are
// bundled with esbuild; the files isolambda reads at run time go in one zip asset that the binary
// extracts to a cache directory on its first run (scripts/binary/sea-main.cjs). Run after `npm run build`.
// postject lives in its own side package (scripts/binary/package.json), installed here on first use.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { zipSync } from "fflate";

const started = performance.now();
execFileSync(process.execPath, ["scripts/install-side.mjs", "scripts/binary"], { stdio: "inherit" });
const require = createRequire(import.meta.url);
const work = "build/binary";
const root = `${work}/root`;
rmSync(work, { recursive: true, force: true });
mkdirSync(root, { recursive: true });

// The bundles sit three levels deep, as dist/sandbox/host/ and dist/sandbox/executor/ do in a clone,
// in sibling folders, so that the import.meta.url-relative paths of the modules they hold
// (../../../dist/guest, ../../../node_modules, ../executor/worker.js) hold.
await build({
  entryPoints: { "host/cli": "dist/cli.js", "executor/worker": "dist/sandbox/executor/worker.js" },
  outdir: `${root}/dist/bin`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Loaded from the extracted node_modules, where their native add-ons sit next to their own files.
  external: ["better-sqlite3", "@bytecodealliance/jco-transpile"],
  // Its "main" is a UMD build whose require() calls a bundler cannot follow.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  // CommonJS dependencies inside an ESM bundle still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __isolambdaRequire } from "node:module"; const require = __isolambdaRequire(import.meta.url);' },
  legalComments: "none",
  logLevel: "warning",
});
cpSync("dist/guest", `${root}/dist/guest`, { recursive: true });
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
// The CLI reads its version from ../package.json.
writeFileSync(`${root}/dist/bin/package.json`, JSON.stringify({ name: pkg.name, version: pkg.version, type: "module" }));
writeFileSync(`${root}/boot.cjs`, 'import("./dist/bin/host/cli.js");\n');

/** Types, source maps and docs are never read at run time. */
const unused = (file) => /\.(d\.ts|d\.mts|d\.cts|map|md)$/.test(file) || path.basename(file) === "dist-types";
function copyPackage(dir, name) {
  cpSync(dir, `${root}/node_modules/${name}`, { recursive: true, dereference: true, filter: (file) => !unused(file) });
}
const packageDir = (name) => path.dirname(require.resolve(`${name}/package.json`));

// better-sqlite3: its JavaScript, the add-on it finds through `bindings`, and nothing of its C sources.
const sqlite = packageDir("better-sqlite3");
mkdirSync(`${root}/node_modules/better-sqlite3/build/Release`, { recursive: true });
copyFileSync(`${sqlite}/package.json`, `${root}/node_modules/better-sqlite3/package.json`);
cpSync(`${sqlite}/lib`, `${root}/node_modules/better-sqlite3/lib`, { recursive: true });
copyFileSync(`${sqlite}/build/Release/better_sqlite3.node`, `${root}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`);
for (const name of ["bindings", "file-uri-to-path"]) copyPackage(packageDir(name), name);
// The QuickJS wasm, which the sandbox resolves through the package's exports.
copyPackage(packageDir("@jitl/quickjs-wasmfile-release-sync"), "@jitl/quickjs-wasmfile-release-sync");
// The AWS SDK that handlers find at /var/runtime/node_modules, as runtime-modules.ts maps it.
const { runtimeModules } = await import("../dist/sandbox/executor/runtime-modules.js");
for (const [name, dir] of runtimeModules()) copyPackage(dir, name);

// jco-transpile, for WebAssembly components: with its native file system and minifier bindings
// for this platform, without binaryen (93 MB, used only by jco's optimizer, which isolambda never asks for).
const platform = `${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}`;
for (const name of [
  "@bytecodealliance/jco-transpile",
  "@bytecodealliance/jco-node-fs",
  `@bytecodealliance/jco-node-fs-${platform}`,
  "oxc-minify",
  `@oxc-minify/binding-${platform}`,
]) {
  copyPackage(path.join("node_modules", name), name);
}

function collect(dir, prefix, files) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) collect(full, `${prefix}${name}/`, files);
    else files[`${prefix}${name}`] = readFileSync(full);
  }
  return files;
}
const zip = zipSync(collect(root, "", {}), { level: 6 });
const sha256 = createHash("sha256").update(zip).digest("hex");
writeFileSync(`${work}/payload.zip`, zip);
writeFileSync(`${work}/payload.sha256`, sha256.slice(0, 24));

await build({
  entryPoints: ["scripts/binary/sea-main.cjs"],
  outfile: `${work}/sea-main.cjs`,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
});
writeFileSync(
  `${work}/sea-config.json`,
  JSON.stringify({
    main: `${work}/sea-main.cjs`,
    output: `${work}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    assets: { "payload.zip": `${work}/payload.zip`, "payload.sha256": `${work}/payload.sha256` },
  }),
);
execFileSync(process.execPath, ["--experimental-sea-config", `${work}/sea-config.json`], { stdio: "inherit" });

const binary = "dist/isolambda";
mkdirSync("dist", { recursive: true });
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
const { inject } = createRequire(path.resolve("scripts/binary/package.json"))("postject");
await inject(binary, "NODE_SEA_BLOB", readFileSync(`${work}/sea-prep.blob`), {
  sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
});
const mb = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
console.log(
  `build:binary: ${binary} (${mb(statSync(binary).size)}, runtime zip ${mb(zip.length)}) in ${Math.round(performance.now() - started)} ms`,
);
