/**
 * The file system a handler sees through node:fs, as Lambda gives it: /var/task and /opt read-only, /tmp
 * writable, private to its execution environment and capped by EphemeralStorage, nothing else.
 */
import { symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { configFor, writePackage } from "./fixtures.js";
import { environmentFor, errorOf, invokeOnce, resultOf, useSandbox } from "./harness.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

/** A handler running `body` (with `fs` in scope) and returning its value; errors come back as their Node fields. */
function handler(body: string): Record<string, string> {
  return {
    "index.js": [
      "const fs = require('fs');",
      "const failure = (e) => ({ message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, dest: e.dest });",
      "const attempt = (fn) => { try { return fn(); } catch (e) { return failure(e); } };",
      `exports.handler = async (event) => { ${body} };`,
    ].join("\n"),
    "data.txt": "package data",
  };
}

describe("/tmp", () => {
  it("keeps files across warm invocations of one environment, and a new environment starts empty", async () => {
    const files = handler(`
      const before = fs.existsSync('/tmp/count') ? Number(fs.readFileSync('/tmp/count', 'utf8')) : 0;
      fs.writeFileSync('/tmp/count', String(before + 1));
      return before + 1;`);
    const env = await environmentFor(sandbox, files);
    expect(resultOf(await env.invoke("{}"))).toBe(1);
    expect(resultOf(await env.invoke("{}"))).toBe(2);
    expect(resultOf(await env.invoke("{}"))).toBe(3);
    const other = await sandbox.createEnvironment({ ...env.config, versionKey: `${env.config.versionKey}:other` });
    expect(resultOf(await other.invoke("{}"))).toBe(1);
    env.dispose();
    other.dispose();
  });

  it("reads and writes with Node's encodings, Buffers and flags", async () => {
    const files = handler(`
      fs.writeFileSync('/tmp/a.txt', 'héllo');
      fs.appendFileSync('/tmp/a.txt', ' world');
      fs.writeFileSync('/tmp/b64', 'aGk=', 'base64');
      fs.writeFileSync('/tmp/bytes', new Uint8Array([0, 1, 254, 255]));
      fs.writeFileSync('/tmp/latin', 'ÿ', { encoding: 'latin1' });
      const exclusive = attempt(() => fs.writeFileSync('/tmp/a.txt', 'x', { flag: 'wx' }));
      const buffer = fs.readFileSync('/tmp/bytes');
      return {
        text: fs.readFileSync('/tmp/a.txt', 'utf8'),
        viaOptions: fs.readFileSync('/tmp/a.txt', { encoding: 'utf-8' }),
        hex: fs.readFileSync('/tmp/bytes', 'hex'),
        base64: fs.readFileSync('/tmp/a.txt', 'base64'),
        binary: fs.readFileSync('/tmp/latin', 'binary'),
        b64: fs.readFileSync('/tmp/b64', 'utf8'),
        isBuffer: Buffer.isBuffer(buffer),
        bytes: [...buffer],
        size: fs.statSync('/tmp/a.txt').size,
        exclusive: exclusive.code,
        badEncoding: attempt(() => fs.readFileSync('/tmp/a.txt', 'klingon')).code,
      };`);
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      text: "héllo world",
      viaOptions: "héllo world",
      hex: "0001feff",
      base64: Buffer.from("héllo world").toString("base64"),
      binary: "ÿ",
      b64: "hi",
      isBuffer: true,
      bytes: [0, 1, 254, 255],
      size: Buffer.byteLength("héllo world"),
      exclusive: "EEXIST",
      badEncoding: "ERR_INVALID_ARG_VALUE",
    });
  });

  it("has directories, listing, stat, rename, copy, unlink, rm, access, realpath and mkdtemp", async () => {
    const files = handler(`
      const first = fs.mkdirSync('/tmp/a/b/c', { recursive: true });
      const again = fs.mkdirSync('/tmp/a/b/c', { recursive: true });
      fs.writeFileSync('/tmp/a/b/file.txt', 'f');
      fs.copyFileSync('/var/task/data.txt', '/tmp/a/copy.txt');
      fs.renameSync('/tmp/a/b/file.txt', '/tmp/a/moved.txt');
      const stat = fs.statSync('/tmp/a');
      const list = fs.readdirSync('/tmp/a');
      const typed = fs.readdirSync('/tmp/a', { withFileTypes: true }).map((d) => [d.name, d.isDirectory(), d.isFile(), d.parentPath]);
      const deep = fs.readdirSync('/tmp/a', { recursive: true });
      const temp = fs.mkdtempSync('/tmp/work-');
      const realpath = fs.realpathSync('/tmp/a/b/../moved.txt');
      fs.accessSync('/tmp/a/moved.txt', fs.constants.R_OK | fs.constants.W_OK);
      fs.unlinkSync('/tmp/a/moved.txt');
      fs.rmSync('/tmp/a', { recursive: true });
      return { first, again: again ?? null, isDir: stat.isDirectory(), isFile: stat.isFile(), mtime: stat.mtime instanceof Date,
        list, typed, deep, temp: /^\\/tmp\\/work-[A-Za-z0-9]{6}$/.test(temp), tempExists: fs.statSync(temp).isDirectory(),
        realpath, copied: 'package data', gone: fs.existsSync('/tmp/a'), left: fs.readdirSync('/tmp').length };`);
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      first: "/tmp/a",
      again: null,
      isDir: true,
      isFile: false,
      mtime: true,
      list: ["b", "copy.txt", "moved.txt"],
      typed: [
        ["b", true, false, "/tmp/a"],
        ["copy.txt", false, true, "/tmp/a"],
        ["moved.txt", false, true, "/tmp/a"],
      ],
      deep: ["b", "b/c", "copy.txt", "moved.txt"],
      temp: true,
      tempExists: true,
      realpath: "/tmp/a/moved.txt",
      copied: "package data",
      gone: false,
      left: 1,
    });
  });

  it("fails as Node does on Lambda: code, errno, syscall, path and message", async () => {
    const files = handler(`
      fs.mkdirSync('/tmp/dir');
      fs.writeFileSync('/tmp/dir/file', 'x');
      return {
        missing: attempt(() => fs.readFileSync('/tmp/nope')),
        relativeMissing: attempt(() => fs.readFileSync('nope.txt')),
        readDir: attempt(() => fs.readFileSync('/tmp/dir')),
        mkdirExists: attempt(() => fs.mkdirSync('/tmp/dir')),
        mkdirNoParent: attempt(() => fs.mkdirSync('/tmp/x/y')),
        rmdirNotEmpty: attempt(() => fs.rmdirSync('/tmp/dir')),
        rmDir: attempt(() => fs.rmSync('/tmp/dir')),
        rmMissing: attempt(() => fs.rmSync('/tmp/nope')),
        rmForce: attempt(() => fs.rmSync('/tmp/nope', { force: true })) ?? 'ok',
        unlinkDir: attempt(() => fs.unlinkSync('/tmp/dir')),
        notDir: attempt(() => fs.readdirSync('/tmp/dir/file')),
        throughFile: attempt(() => fs.writeFileSync('/tmp/dir/file/x', 'y')),
        rename: attempt(() => fs.renameSync('/tmp/nope', '/tmp/other')),
        statQuiet: fs.statSync('/tmp/nope', { throwIfNoEntry: false }) ?? null,
        badPath: attempt(() => fs.readFileSync(42)).code,
        nullByte: attempt(() => fs.readFileSync('/tmp/a\\u0000b')).code,
      };`);
    const out = resultOf(await invokeOnce(sandbox, files)) as Record<string, unknown>;
    expect(out.missing).toEqual({
      message: "ENOENT: no such file or directory, open '/tmp/nope'",
      code: "ENOENT",
      errno: -2,
      syscall: "open",
      path: "/tmp/nope",
    });
    expect(out.relativeMissing).toMatchObject({ message: "ENOENT: no such file or directory, open 'nope.txt'", path: "nope.txt" });
    expect(out.readDir).toEqual({ message: "EISDIR: illegal operation on a directory, read", code: "EISDIR", errno: -21, syscall: "read" });
    expect(out.mkdirExists).toMatchObject({ message: "EEXIST: file already exists, mkdir '/tmp/dir'", errno: -17 });
    expect(out.mkdirNoParent).toMatchObject({ message: "ENOENT: no such file or directory, mkdir '/tmp/x/y'" });
    expect(out.rmdirNotEmpty).toMatchObject({ message: "ENOTEMPTY: directory not empty, rmdir '/tmp/dir'", errno: -39 });
    expect(out.rmDir).toMatchObject({
      message: "Path is a directory: rm returned EISDIR (is a directory) /tmp/dir",
      code: "ERR_FS_EISDIR",
      syscall: "rm",
    });
    expect(out.rmMissing).toMatchObject({ message: "ENOENT: no such file or directory, lstat '/tmp/nope'", syscall: "lstat" });
    expect(out.rmForce).toBe("ok");
    expect(out.unlinkDir).toMatchObject({ message: "EISDIR: illegal operation on a directory, unlink '/tmp/dir'" });
    expect(out.notDir).toMatchObject({ message: "ENOTDIR: not a directory, scandir '/tmp/dir/file'", errno: -20 });
    expect(out.throughFile).toMatchObject({ code: "ENOTDIR", syscall: "open" });
    expect(out.rename).toEqual({
      message: "ENOENT: no such file or directory, rename '/tmp/nope' -> '/tmp/other'",
      code: "ENOENT",
      errno: -2,
      syscall: "rename",
      path: "/tmp/nope",
      dest: "/tmp/other",
    });
    expect(out.statQuiet).toBeNull();
    expect(out.badPath).toBe("ERR_INVALID_ARG_TYPE");
    expect(out.nullByte).toBe("ERR_INVALID_ARG_VALUE");
  });

  it("refuses to grow past EphemeralStorage with ENOSPC, and has room again once files are deleted", async () => {
    const files = handler(`
      const chunk = new Uint8Array(600 * 1024);
      fs.writeFileSync('/tmp/one', chunk);
      const full = attempt(() => fs.writeFileSync('/tmp/two', chunk));
      const appended = attempt(() => fs.appendFileSync('/tmp/one', chunk));
      const sizeAfter = fs.statSync('/tmp/one').size;
      fs.unlinkSync('/tmp/one');
      fs.writeFileSync('/tmp/two', chunk);
      fs.unlinkSync('/tmp/two');
      let made = 0;
      const inodes = attempt(() => { for (;;) { fs.writeFileSync('/tmp/empty-' + made, ''); made += 1; } });
      return { full, appended: appended.code, sizeAfter, inodes: inodes.code, made };`);
    const out = resultOf(await invokeOnce(sandbox, files, {}, { ephemeralStorageMB: 1 })) as Record<string, unknown>;
    expect(out.full).toEqual({ message: "ENOSPC: no space left on device, write", code: "ENOSPC", errno: -28, syscall: "write" });
    expect(out.appended).toBe("ENOSPC");
    expect(out.sizeAfter).toBe(600 * 1024);
    // One inode per 16 KiB of capacity, as ext4 counts them: 64 in 1 MB.
    expect(out).toMatchObject({ inodes: "ENOSPC", made: 64 });
  });

  it("holds 512 MB by default, as statfs reports it, and the EphemeralStorage.Size asked for", async () => {
    const files = handler(`
      fs.writeFileSync('/tmp/one-block', 'x');
      const { bsize, blocks, bfree, files } = fs.statfsSync('/tmp');
      return { bytes: bsize * blocks, free: bsize * bfree, inodes: files };`);
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({ bytes: 512 * 1024 * 1024, free: 512 * 1024 * 1024 - 4096, inodes: 32768 });
    expect(resultOf(await invokeOnce(sandbox, files, {}, { ephemeralStorageMB: 10240 }))).toMatchObject({ bytes: 10240 * 1024 * 1024 });
  });

  it("keeps the bytes on the host side: a file larger than the handler's heap fits in /tmp", async () => {
    const files = handler(`
      const chunk = new Uint8Array(16 * 1024 * 1024);
      for (let i = 0; i < 12; i += 1) fs.appendFileSync('/tmp/big', chunk);
      return fs.statSync('/tmp/big').size;`);
    expect(resultOf(await invokeOnce(sandbox, files, {}, { memorySizeMB: 128 }))).toBe(192 * 1024 * 1024);
  });

  it("counts /tmp in the memory an environment is weighed by, so the warm pool can evict one holding much", async () => {
    // 32 MB of /tmp written 64 KB at a time: the environment's own memory stays near its initial 16 MB.
    const env = await environmentFor(
      sandbox,
      handler("const chunk = new Uint8Array(64 * 1024); for (let i = 0; i < 512; i += 1) fs.appendFileSync('/tmp/blob', chunk); return 1;"),
    );
    resultOf(await env.invoke("{}"));
    // The memory report goes out ahead of the result.
    expect(env.tmpBytes).toBe(32 * 1024 * 1024);
    // Lambda's /tmp is not memory: Max Memory Used stays the environment's linear memory.
    expect(env.memoryBytes).toBeGreaterThan(0);
    expect(env.memoryBytes).toBeLessThan(32 * 1024 * 1024);
    expect(env.peakMemoryBytes).toBe(env.memoryBytes);
    env.dispose();
  });
});

describe("/var/task, /opt and the rest", () => {
  it("reads the package, relative paths from /var/task, and refuses writes there with EROFS", async () => {
    const layer = writePackage({ "bin/tool.txt": "from a layer" });
    const files = handler(`
      return {
        absolute: fs.readFileSync('/var/task/data.txt', 'utf8'),
        relative: fs.readFileSync('data.txt', 'utf8'),
        layer: fs.readFileSync('/opt/bin/tool.txt', 'utf8'),
        task: fs.readdirSync('/var/task').sort(),
        opt: fs.readdirSync('/opt'),
        root: fs.readdirSync('/'),
        isDir: fs.statSync('/var/task').isDirectory(),
        write: attempt(() => fs.writeFileSync('/var/task/new.txt', 'x')),
        writeOpt: attempt(() => fs.writeFileSync('/opt/bin/tool.txt', 'x')).code,
        mkdir: attempt(() => fs.mkdirSync('/var/task/dir')).code,
        unlink: attempt(() => fs.unlinkSync('/var/task/data.txt')).code,
        renameOut: attempt(() => fs.renameSync('/var/task/data.txt', '/tmp/data.txt')).code,
        accessWrite: attempt(() => fs.accessSync('/var/task/data.txt', fs.constants.W_OK)).code,
        writeRoot: attempt(() => fs.writeFileSync('/etc/passwd', 'x')).code,
        readOutside: attempt(() => fs.readFileSync('/etc/passwd', 'utf8')).code,
        still: fs.readFileSync('/var/task/data.txt', 'utf8'),
      };`);
    expect(resultOf(await invokeOnce(sandbox, files, {}, { layerDirs: [layer] }))).toEqual({
      absolute: "package data",
      relative: "package data",
      layer: "from a layer",
      task: ["data.txt", "index.js"],
      opt: ["bin"],
      root: ["opt", "tmp", "var"],
      isDir: true,
      write: {
        message: "EROFS: read-only file system, open '/var/task/new.txt'",
        code: "EROFS",
        errno: -30,
        syscall: "open",
        path: "/var/task/new.txt",
      },
      writeOpt: "EROFS",
      mkdir: "EROFS",
      unlink: "EROFS",
      renameOut: "EROFS",
      accessWrite: "EROFS",
      writeRoot: "ENOENT",
      readOutside: "ENOENT",
      still: "package data",
    });
  });

  it("does not follow a symlink in the package that leads out of it, and follows one that stays inside", async () => {
    const outside = writePackage({ "secret.txt": "host secret" });
    const codeDir = writePackage(
      handler(`
      return {
        escape: attempt(() => fs.readFileSync('/var/task/escape.txt', 'utf8')).code,
        escapeDir: attempt(() => fs.readdirSync('/var/task/outside')).code,
        exists: fs.existsSync('/var/task/escape.txt'),
        inside: fs.readFileSync('/var/task/alias.txt', 'utf8'),
        listed: fs.readdirSync('/var/task').sort(),
      };`),
    );
    symlinkSync(path.join(outside, "secret.txt"), path.join(codeDir, "escape.txt"));
    symlinkSync(outside, path.join(codeDir, "outside"));
    symlinkSync(path.join(codeDir, "data.txt"), path.join(codeDir, "alias.txt"));
    const env = await sandbox.createEnvironment(configFor(codeDir));
    const result = await env.invoke("{}");
    env.dispose();
    expect(result.payload).not.toContain("host secret");
    expect(resultOf(result)).toEqual({
      escape: "ENOENT",
      escapeDir: "ENOENT",
      exists: false,
      inside: "package data",
      listed: ["alias.txt", "data.txt", "index.js"],
    });
  });
});

describe("the fs modules", () => {
  it("offers callbacks, fs.promises, node:fs/promises, and ES module imports", async () => {
    const files = {
      "index.mjs": [
        "import fs, { readFileSync } from 'node:fs';",
        "import { readFile, writeFile, readdir } from 'node:fs/promises';",
        "import { createRequire } from './require.cjs';",
        "export const handler = async () => {",
        "  await writeFile('/tmp/p.txt', 'promised');",
        "  const viaCallback = await new Promise((resolve, reject) => fs.readFile('/tmp/p.txt', 'utf8', (e, d) => e ? reject(e) : resolve(d)));",
        "  const missing = await new Promise((resolve) => fs.stat('/tmp/none', (e) => resolve(e.code)));",
        "  const rejected = await readFile('/tmp/none').catch((e) => e.syscall);",
        "  return { viaCallback, viaPromise: await readFile('/tmp/p.txt', 'utf8'), viaSync: readFileSync('/tmp/p.txt', 'utf8'),",
        "    missing, rejected, list: await readdir('/tmp'), same: fs.promises.readFile === (await import('fs/promises')).readFile,",
        "    shared: createRequire() };",
        "};",
      ].join("\n"),
      "require.cjs":
        "exports.createRequire = () => require('node:fs') === require('fs') && require('fs').promises === require('fs/promises');",
    };
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      viaCallback: "promised",
      viaPromise: "promised",
      viaSync: "promised",
      missing: "ENOENT",
      rejected: "open",
      list: ["p.txt"],
      same: true,
      shared: true,
    });
  });

  it("says plainly what it does not implement", async () => {
    const files = handler("return [attempt(() => fs.openSync('/tmp/x', 'r')), attempt(() => fs.symlinkSync('/tmp/a', '/tmp/b'))];");
    const [open, symlink] = resultOf(await invokeOnce(sandbox, files)) as Array<{ code: string; message: string }>;
    expect(open).toMatchObject({ code: "ERR_METHOD_NOT_IMPLEMENTED", message: expect.stringContaining("fs.openSync()") });
    expect(symlink).toMatchObject({ code: "ERR_METHOD_NOT_IMPLEMENTED", message: expect.stringContaining("fs.symlinkSync()") });
  });

  it("streams files: createWriteStream, createReadStream (encoding, chunks, start/end), pipeline, and errors as events", async () => {
    const files = handler(`
      const { pipeline } = require('stream/promises');
      const out = fs.createWriteStream('/tmp/log.txt');
      const events = [];
      out.on('open', () => events.push('open'));
      out.write('one,');
      out.write(Buffer.from('two,'));
      await new Promise((resolve, reject) => { out.on('error', reject); out.end('three', resolve); });
      const chunks = [];
      const reader = fs.createReadStream('/tmp/log.txt', { encoding: 'utf8', highWaterMark: 4 });
      await new Promise((resolve, reject) => reader.on('data', (chunk) => chunks.push(chunk)).on('end', resolve).on('error', reject));
      const ranged = [];
      for await (const chunk of fs.createReadStream('/tmp/log.txt', { start: 4, end: 6 })) ranged.push(chunk.toString());
      await pipeline(fs.createReadStream('/var/task/data.txt'), fs.createWriteStream('/tmp/copy.txt'));
      const missing = await new Promise((resolve) => fs.createReadStream('/tmp/none').on('error', (e) => resolve([e.code, e.syscall])));
      const readOnly = await new Promise((resolve) => fs.createWriteStream('/var/task/x').on('error', (e) => resolve(e.code)));
      return { events, written: out.bytesWritten, text: fs.readFileSync('/tmp/log.txt', 'utf8'), chunks, ranged,
        copy: fs.readFileSync('/tmp/copy.txt', 'utf8'), missing, readOnly, path: reader.path };`);
    expect(resultOf(await invokeOnce(sandbox, files))).toEqual({
      events: ["open"],
      written: 13,
      text: "one,two,three",
      chunks: ["one,", "two,", "thre", "e"],
      ranged: ["two"],
      copy: "package data",
      missing: ["ENOENT", "open"],
      readOnly: "EROFS",
      path: "/tmp/log.txt",
    });
  });

  it("reports an fs error the handler does not catch as Lambda does", async () => {
    const error = errorOf(await invokeOnce(sandbox, handler("return fs.readFileSync('/tmp/missing.json', 'utf8');")));
    expect(error.errorType).toBe("Error");
    expect(error.errorMessage).toBe("ENOENT: no such file or directory, open '/tmp/missing.json'");
  });
});
