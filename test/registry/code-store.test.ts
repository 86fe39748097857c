import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { strToU8, zipSync } from "fflate";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { unpackZip } from "../../src/registry/unzip.js";
import { zipFolder } from "../../src/registry/zip-folder.js";
import { expectLambdaError, removeTempDirs, SETTINGS, sha256Base64, sha256Hex, tempDir, zipOf } from "./helpers.js";
import { type Deflated, deflatedText, deflatedZeros, zipDeclaring } from "./hostile-zips.js";

const CORRUPT = "Could not unzip uploaded file. Please check your file, then try to upload again.";
const TOO_LARGE = "Unzipped size must be smaller than 262144000 bytes";
const MiB = 1024 * 1024;

let dataDir: string;
let opened: OpenedRegistry;

beforeEach(() => {
  dataDir = tempDir();
  opened = openRegistry(dataDir);
});
afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const codeDir = () => path.join(dataDir, "code");
const mode = (file: string) => statSync(file).mode & 0o777;

/** Every path below `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join("/")).sort();
}

describe("put", () => {
  const files = { "index.js": "exports.handler = async () => 1;", "lib/deep/util.js": "module.exports = 2;", "data.json": "{}" };
  const zip = zipOf(files);
  const unzippedSize = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);

  it("stores the zip once under its sha and unpacks it with 0644 files", async () => {
    const stored = await opened.code.put(zip);
    const hex = sha256Hex(zip);
    expect(stored).toEqual({ codeSha256: sha256Base64(zip), codeSize: zip.length, unzippedSize, dir: path.join(codeDir(), hex) });
    expect(readdirSync(codeDir()).sort()).toEqual([hex, `${hex}.zip`]);
    expect(new Uint8Array(readFileSync(path.join(codeDir(), `${hex}.zip`)))).toEqual(zip);
    expect(tree(stored.dir)).toEqual(["data.json", "index.js", "lib", "lib/deep", "lib/deep/util.js"]);
    expect(readFileSync(path.join(stored.dir, "lib/deep/util.js"), "utf8")).toBe("module.exports = 2;");
    expect(mode(path.join(stored.dir, "index.js"))).toBe(0o644);
    expect(mode(path.join(stored.dir, "lib/deep"))).toBe(0o755);
    expect(opened.code.get(stored.codeSha256)).toEqual(stored);
  });

  it("returns the stored package again for the same bytes", async () => {
    const first = await opened.code.put(zip);
    const again = await opened.code.put(new Uint8Array(zip));
    expect(again).toEqual(first);
    expect(readdirSync(codeDir())).toHaveLength(2);
  });

  it("shares one unpacking between concurrent puts of the same zip", async () => {
    const first = opened.code.put(zip);
    const second = opened.code.put(zip);
    // The second put joins the first's work instead of unpacking again.
    expect(second).toBe(first);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(readdirSync(codeDir()).sort()).toEqual([sha256Hex(zip), `${sha256Hex(zip)}.zip`]);
  });

  it("lets two stores on one data dir race for the same zip: both succeed, one complete copy stays", async () => {
    const other = openRegistry(dataDir);
    try {
      const results = await Promise.all([opened.code.put(zip), other.code.put(zip), opened.code.put(zip), other.code.put(zip)]);
      for (const result of results) expect(result).toEqual(results[0]);
      // No temporary directory or file left behind by the loser.
      expect(readdirSync(codeDir()).sort()).toEqual([sha256Hex(zip), `${sha256Hex(zip)}.zip`]);
      expect(tree(results[0]?.dir ?? "")).toEqual(["data.json", "index.js", "lib", "lib/deep", "lib/deep/util.js"]);
    } finally {
      other.registry.close();
    }
  });

  it("ignores the archive's modes: executables and odd permissions unpack as 0644", async () => {
    const odd = zipSync({
      "bin/tool": [strToU8("#!/bin/sh\n"), { os: 3, attrs: (0o100755 << 16) >>> 0 }],
      "secret.txt": [strToU8("x"), { os: 3, attrs: (0o100000 << 16) >>> 0 }],
    });
    const stored = await opened.code.put(odd);
    expect(mode(path.join(stored.dir, "bin/tool"))).toBe(0o644);
    expect(mode(path.join(stored.dir, "secret.txt"))).toBe(0o644);
  });

  it("keeps a path's last entry, and accepts ./ and backslash-separated names inside the root", async () => {
    const zip = zipSync({ "./a.js": strToU8("first"), "dir\\b.js": strToU8("b"), "x/": new Uint8Array(0) });
    const stored = await opened.code.put(zip);
    expect(tree(stored.dir)).toEqual(["a.js", "dir", "dir/b.js", "x"]);
    // fflate writes unique names; a later entry for the same path after normalisation replaces the earlier one.
    const dup = zipSync({ "a.js": strToU8("first"), "./a.js": strToU8("second") });
    expect(readFileSync(path.join((await opened.code.put(dup)).dir, "a.js"), "utf8")).toBe("second");
  });

  it("stores an empty zip as an empty package", async () => {
    const empty = zipSync({});
    const stored = await opened.code.put(empty);
    expect(readdirSync(stored.dir)).toEqual([]);
  });
});

describe("get", () => {
  it("returns undefined for an unknown, malformed or non-canonical sha", async () => {
    const stored = await opened.code.put(zipOf({ "a.js": "" }));
    expect(opened.code.get(sha256Base64(strToU8("other")))).toBeUndefined();
    expect(opened.code.get("not base64 at all")).toBeUndefined();
    expect(opened.code.get(stored.codeSha256.replace(/=$/, ""))).toBeUndefined();
    expect(opened.code.get(stored.codeSha256)).toEqual(stored);
  });

  it("measures the unzipped size of a package stored before the registry recorded it, once", async () => {
    const stored = await opened.code.put(zipOf({ "a.js": "12345", "lib/b.js": "123" }));
    expect(stored.unzippedSize).toBe(8);
    // In use, so that opening the registry again keeps it.
    opened.registry.createFunction({ functionName: "f", ...SETTINGS, code: stored });
    opened.registry.close();
    const db = new Sqlite(path.join(dataDir, "registry.db"));
    try {
      db.prepare("UPDATE code SET unzipped_size = NULL").run();
    } finally {
      db.close();
    }
    opened = openRegistry(dataDir);
    expect(opened.code.get(stored.codeSha256)?.unzippedSize).toBe(8);
    const check = new Sqlite(path.join(dataDir, "registry.db"), { readonly: true });
    try {
      expect(check.prepare("SELECT unzipped_size FROM code").pluck().get()).toBe(8);
    } finally {
      check.close();
    }
  });
});

describe("put refuses", () => {
  const nothingStored = () => expect(readdirSync(codeDir())).toEqual([]);

  it.each([
    ["random bytes", strToU8("this is not a zip file, not even close")],
    ["an empty buffer", new Uint8Array(0)],
    ["a zip cut short", zipOf({ "index.js": "exports.handler = async () => 1;" }).subarray(0, -10)],
    ["a zip's first half", zipOf({ "index.js": "exports.handler = async () => 1;" }).subarray(0, 60)],
  ])("%s as a corrupt zip", async (_, bytes) => {
    await expectLambdaError(() => opened.code.put(bytes), "InvalidParameterValueException", CORRUPT);
    nothingStored();
  });

  it("an entry whose deflate data is broken", async () => {
    const name = "index.js";
    const zip = zipSync({ [name]: strToU8("exports.handler = () => 1;".repeat(50)) }, { level: 9 });
    // The first local header is 30 bytes plus the name (fflate writes no extra field): then the data,
    // whose first byte 0xff announces a block type deflate does not have.
    zip[30 + name.length] = 0xff;
    await expectLambdaError(() => opened.code.put(zip), "InvalidParameterValueException", CORRUPT);
    nothingStored();
  });

  it.each([
    ["../evil.js"],
    ["a/../../evil.js"],
    ["a/../b.js"],
    ["/etc/evil.js"],
    ["C:/evil.js"],
    ["c:evil.js"],
    ["..\\evil.js"],
    ["\\\\server\\share\\evil.js"],
  ])("an entry named %s, which escapes the package root", async (name) => {
    const zip = zipSync({ "index.js": strToU8("ok"), [name]: strToU8("pwned") });
    await expectLambdaError(
      () => opened.code.put(zip),
      "InvalidParameterValueException",
      `Could not unzip uploaded file: the entry "${name}" points outside the package root.`,
    );
    nothingStored();
    expect(readdirSync(dataDir).sort()).toEqual(["code", "registry.db", "registry.db-shm", "registry.db-wal"]);
  });
});

describe("zip bombs", () => {
  let zeros: Deflated;
  let bomb: Uint8Array;
  let multi: Uint8Array;

  beforeAll(async () => {
    // 263 MiB of zeros deflates to a few hundred KB: one entry over the limit on its own...
    zeros = await deflatedZeros(263 * MiB);
    bomb = zipDeclaring([{ name: "zeros.bin", content: zeros }]);
    // ...and three entries under it that add up to more.
    const hundred = await deflatedZeros(100 * MiB);
    multi = zipDeclaring(["a.bin", "b.bin", "c.bin"].map((name) => ({ name, content: hundred })));
  }, 60_000);

  it("are small on the wire", () => {
    expect(bomb.length).toBeLessThan(1 * MiB);
    expect(multi.length).toBeLessThan(1 * MiB);
  });

  it("are refused before anything is unpacked, whether one entry or the sum is too large", async () => {
    for (const zip of [bomb, multi]) {
      const rssBefore = process.memoryUsage().rss;
      await expectLambdaError(() => opened.code.put(zip), "InvalidParameterValueException", TOO_LARGE);
      // Nothing was inflated: no file, no temporary directory, and no 263 MiB buffer.
      expect(readdirSync(codeDir())).toEqual([]);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * MiB);
    }
  });

  it("that understate their sizes are refused at the first byte past the declared size, leaving nothing", async () => {
    const liar = zipDeclaring([{ name: "zeros.bin", content: zeros, size: 4096 }]);
    await expectLambdaError(
      () => opened.code.put(liar),
      "InvalidParameterValueException",
      'Could not unzip uploaded file: the entry "zeros.bin" holds more than the 4096 bytes its header declares.',
    );
    expect(readdirSync(codeDir())).toEqual([]);
  });

  it("stop at a smaller limit as well (the limit is a parameter of unpacking)", async () => {
    const zip = zipOf({ "a.txt": "a".repeat(600), "b.txt": "b".repeat(600) });
    const target = path.join(tempDir(), "out");
    mkdirSync(target);
    await expectLambdaError(
      () => unpackZip(zip, target, { limitBytes: 1000 }),
      "InvalidParameterValueException",
      "Unzipped size must be smaller than 262144000 bytes",
    );
    expect(readdirSync(target)).toEqual([]);
    expect(await unpackZip(zip, target, { limitBytes: 1200 })).toEqual({ files: 2, bytes: 1200 });
  });
});

describe("entries that are not what their headers say", () => {
  const nothingStored = () => expect(readdirSync(codeDir())).toEqual([]);
  const text = deflatedText("exports.handler = async () => 1;");

  it("are refused when they hold fewer bytes than declared", async () => {
    const zip = zipDeclaring([{ name: "index.js", content: text, size: text.size + 10 }]);
    await expectLambdaError(
      () => opened.code.put(zip),
      "InvalidParameterValueException",
      `Could not unzip uploaded file: the entry "index.js" holds ${text.size} bytes, not the ${text.size + 10} its header declares.`,
    );
    nothingStored();
  });

  it("are refused when their CRC-32 differs, in any entry, the earlier ones written are removed too", async () => {
    const zip = zipDeclaring([
      { name: "a.js", content: deflatedText("fine") },
      { name: "b.js", content: text, crc: (text.crc + 1) >>> 0 },
    ]);
    await expectLambdaError(
      () => opened.code.put(zip),
      "InvalidParameterValueException",
      'Could not unzip uploaded file: the entry "b.js" fails its CRC-32 check.',
    );
    nothingStored();
  });

  it("leave an honest zip of the same kind unpacked as before", async () => {
    const stored = await opened.code.put(zipDeclaring([{ name: "index.js", content: text }]));
    expect(readFileSync(path.join(stored.dir, "index.js"), "utf8")).toBe("exports.handler = async () => 1;");
  });
});

describe("a package's lifetime", () => {
  const packageFiles = () => readdirSync(codeDir()).sort();
  const filesOf = (zip: Uint8Array) => [sha256Hex(zip), `${sha256Hex(zip)}.zip`];
  const zipA = zipOf({ "index.js": "a" });
  const zipB = zipOf({ "index.js": "b" });
  const zipC = zipOf({ "index.js": "c" });

  it("ends with its put's release when no version uses it", async () => {
    const stored = await opened.code.put(zipA);
    expect(packageFiles()).toEqual(filesOf(zipA));
    await opened.code.release(stored.codeSha256);
    expect(packageFiles()).toEqual([]);
    expect(opened.code.get(stored.codeSha256)).toBeUndefined();
    expect(opened.registry.codeStorageBytes()).toBe(0);
  });

  it("outlasts a collect while a put holds it, as often as it was put", async () => {
    const first = await opened.code.put(zipA);
    await opened.code.put(zipA);
    await opened.code.collect();
    expect(packageFiles()).toEqual(filesOf(zipA));
    await opened.code.release(first.codeSha256);
    expect(packageFiles()).toEqual(filesOf(zipA));
    await opened.code.release(first.codeSha256);
    expect(packageFiles()).toEqual([]);
  });

  it("lasts while $LATEST or a published version uses it", async () => {
    const a = await opened.code.put(zipA);
    opened.registry.createFunction({ functionName: "f", ...SETTINGS, code: a });
    await opened.code.release(a.codeSha256);
    opened.registry.publishVersion("f");
    const b = await opened.code.put(zipB);
    opened.registry.updateCode("f", b);
    await opened.code.release(b.codeSha256);
    // Version 1 keeps A.
    expect(packageFiles()).toEqual([...filesOf(zipA), ...filesOf(zipB)].sort());
    const c = await opened.code.put(zipC);
    opened.registry.updateCode("f", c);
    await opened.code.release(c.codeSha256);
    // B was $LATEST's alone.
    expect(packageFiles()).toEqual([...filesOf(zipA), ...filesOf(zipC)].sort());
    opened.registry.deleteFunction("f", "1");
    await opened.code.collect();
    expect(packageFiles()).toEqual(filesOf(zipC));
    opened.registry.deleteFunction("f");
    await opened.code.collect();
    expect(packageFiles()).toEqual([]);
  });

  it("lasts while a layer version uses it, or a function pins it after the layer version's deletion", async () => {
    const content = await opened.code.put(zipA);
    const layer = opened.registry.publishLayerVersion({
      layerName: "lib",
      description: "",
      compatibleRuntimes: [],
      compatibleArchitectures: [],
      code: content,
    });
    await opened.code.release(content.codeSha256);
    const fn = await opened.code.put(zipB);
    const pinned = { arn: "arn:aws:lambda:us-east-1:000000000000:layer:lib:1", codeSha256: layer.codeSha256, codeSize: layer.codeSize };
    opened.registry.createFunction({ functionName: "f", ...SETTINGS, layers: [pinned], code: fn });
    await opened.code.release(fn.codeSha256);
    opened.registry.deleteLayerVersion("lib", 1);
    await opened.code.collect();
    expect(packageFiles()).toEqual([...filesOf(zipA), ...filesOf(zipB)].sort());
    opened.registry.deleteFunction("f");
    await opened.code.collect();
    expect(packageFiles()).toEqual([]);
  });

  it("can be stored again right after its removal", async () => {
    const first = await opened.code.put(zipA);
    await opened.code.release(first.codeSha256);
    const again = await opened.code.put(zipA);
    expect(readFileSync(path.join(again.dir, "index.js"), "utf8")).toBe("a");
  });
});

describe("opening a data dir", () => {
  /** Above Linux's highest pid (2^22): no process runs as it. */
  const GONE_PID = 4_194_305;

  it("removes what a crash left: partial unpackings, packages nothing uses, files no row names", async () => {
    const used = await opened.code.put(zipOf({ "index.js": "used" }));
    opened.registry.createFunction({ functionName: "f", ...SETTINGS, code: used });
    // Stored, never used: the crash came before CreateFunction.
    const unused = await opened.code.put(zipOf({ "index.js": "unused" }));
    opened.registry.close();
    const orphan = sha256Hex(zipOf({ "index.js": "orphan" }));
    const leftovers = [`.tmp-${GONE_PID}-abc`, `.tmp-${process.pid}-abc`, ".tmp-legacy-abc", orphan, `.tmp-${process.ppid}-old`];
    for (const name of leftovers) mkdirSync(path.join(codeDir(), name, "lib"), { recursive: true });
    writeFileSync(path.join(codeDir(), `${orphan}.zip`), "zip");
    writeFileSync(path.join(codeDir(), `.tmp-${GONE_PID}-abc.zip`), "zip");
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(path.join(codeDir(), `.tmp-${process.ppid}-old`), twoHoursAgo, twoHoursAgo);
    // A live process's fresh unpacking, and a file that is not isolambda's.
    mkdirSync(path.join(codeDir(), `.tmp-${process.ppid}-busy`));
    writeFileSync(path.join(codeDir(), "NOTES.txt"), "mine");

    opened = openRegistry(dataDir);
    const hex = (sha: string) => Buffer.from(sha, "base64").toString("hex");
    expect(readdirSync(codeDir()).sort()).toEqual(
      [`.tmp-${process.ppid}-busy`, "NOTES.txt", hex(used.codeSha256), `${hex(used.codeSha256)}.zip`].sort(),
    );
    expect(opened.code.get(unused.codeSha256)).toBeUndefined();
    expect(opened.code.get(used.codeSha256)).toEqual(used);
  });
});

describe("putFolder", () => {
  function writeFolder(root: string, files: Record<string, string>): string {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), content);
    }
    return root;
  }

  const files = { "index.mjs": "export const handler = async () => 'hi';", "lib/a.js": "a", "lib/b/c.json": "{}", README: "r" };

  it("gives the same CodeSha256 for the same content, whatever the order of writing and the mtimes", async () => {
    const one = writeFolder(tempDir(), files);
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const two = writeFolder(tempDir(), reversed);
    utimesSync(path.join(two, "lib/a.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const a = await opened.code.putFolder(one);
    const b = await opened.code.putFolder(two);
    expect(b.codeSha256).toBe(a.codeSha256);
    expect(zipFolder(one)).toEqual(zipFolder(two));
    expect(a.codeSha256).toBe(sha256Base64(zipFolder(one)));
    expect(tree(a.dir)).toEqual(["README", "index.mjs", "lib", "lib/a.js", "lib/b", "lib/b/c.json"]);
    expect(readFileSync(path.join(a.dir, "index.mjs"), "utf8")).toBe(files["index.mjs"]);
  });

  it("gives another CodeSha256 when a byte or a name changes", async () => {
    const base = await opened.code.putFolder(writeFolder(tempDir(), files));
    const edited = await opened.code.putFolder(writeFolder(tempDir(), { ...files, "lib/a.js": "b" }));
    const { "lib/a.js": moved, ...rest } = files;
    const renamed = await opened.code.putFolder(writeFolder(tempDir(), { ...rest, "lib/z.js": moved }));
    expect(new Set([base.codeSha256, edited.codeSha256, renamed.codeSha256]).size).toBe(3);
  });

  it("stores the repository's example function folder, the same every time", async () => {
    const copy = path.join(tempDir(), "hello");
    cpSync("functions/hello", copy, { recursive: true });
    const a = await opened.code.putFolder("functions/hello");
    const b = await opened.code.putFolder(copy);
    expect(b).toEqual(a);
    expect(readdirSync(a.dir).sort()).toEqual(readdirSync("functions/hello").sort());
  });

  it("follows symlinks inside the folder and leaves out those that lead outside it", async () => {
    const outside = writeFolder(tempDir(), { "secret.txt": "s" });
    const root = writeFolder(tempDir(), { "index.js": "x", "real/inner.js": "i" });
    symlinkSync(path.join(outside, "secret.txt"), path.join(root, "leak.txt"));
    symlinkSync(path.join(root, "real"), path.join(root, "alias"));
    symlinkSync(root, path.join(root, "real", "loop"));
    const stored = await opened.code.putFolder(root);
    expect(tree(stored.dir)).toEqual(["alias", "alias/inner.js", "index.js", "real", "real/inner.js"]);
  });
});
