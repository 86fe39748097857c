/** GuestFileSystem and TmpFs directly: the corners the sandbox suites do not reach cheaply. */
import { describe, expect, it } from "vitest";
import { GuestFileSystem } from "../../src/sandbox/executor/file-system.js";
import { FsError } from "../../src/sandbox/executor/fs-errors.js";
import type { PackageFiles } from "../../src/sandbox/executor/package-files.js";

const MiB = 1024 * 1024;

/** A package whose every path is this host file. */
const packageAt = (host: string | undefined) => ({ hostPath: () => host, list: () => undefined }) as unknown as PackageFiles;

function errorOf(run: () => unknown): FsError["info"] {
  try {
    run();
  } catch (error) {
    if (error instanceof FsError) return error.info;
    throw error;
  }
  throw new Error("expected an FsError");
}

describe("GuestFileSystem", () => {
  const fsOf = (host?: string) => new GuestFileSystem(packageAt(host), MiB);
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

  it("turns a host error into EIO on the guest's path, never the host's", () => {
    // Reading /proc/self/mem from offset 0 fails with EIO on Linux: a host error on demand.
    const info = errorOf(() => fsOf("/proc/self/mem").call("read", { path: "/var/task/data" }, undefined));
    expect(info).toEqual({
      message: "EIO: i/o error, read '/var/task/data'",
      code: "EIO",
      errno: -5,
      syscall: "read",
      path: "/var/task/data",
    });
  });

  it("treats a FIFO or device in a package as absent instead of blocking on it", () => {
    expect(errorOf(() => fsOf("/dev/null").call("read", { path: "/var/task/pipe" }, undefined)).code).toBe("ENOENT");
  });

  it("resolves relative paths from /var/task and never climbs above /", () => {
    const guest = fsOf(undefined);
    guest.call("write", { path: "../../../tmp/x", flag: "w" }, new TextEncoder().encode("up"));
    const answer = guest.call("read", { path: "/tmp/../../tmp/./x" }, undefined);
    expect("bytes" in answer && text(answer.bytes)).toBe("up");
    expect(guest.call("realpath", { path: "../../tmp//x" }, undefined)).toEqual({ value: "/tmp/x" });
  });

  it("refuses moving a directory into itself, names over 255 bytes and paths over 4096", () => {
    const guest = fsOf(undefined);
    guest.call("mkdir", { path: "/tmp/a/b", recursive: true }, undefined);
    expect(errorOf(() => guest.call("rename", { path: "/tmp/a", dest: "/tmp/a/b/c" }, undefined))).toMatchObject({
      code: "EINVAL",
      message: "EINVAL: invalid argument, rename '/tmp/a' -> '/tmp/a/b/c'",
    });
    expect(errorOf(() => guest.call("write", { path: `/tmp/${"n".repeat(256)}` }, new Uint8Array(1))).code).toBe("ENAMETOOLONG");
    expect(errorOf(() => guest.call("stat", { path: `/tmp/${"d/".repeat(2100)}` }, undefined)).code).toBe("ENAMETOOLONG");
  });

  it("replaces an empty directory or a file on rename, and refuses a non-empty directory", () => {
    const guest = fsOf(undefined);
    guest.call("mkdir", { path: "/tmp/full/inner", recursive: true }, undefined);
    guest.call("mkdir", { path: "/tmp/empty" }, undefined);
    guest.call("mkdir", { path: "/tmp/other" }, undefined);
    guest.call("write", { path: "/tmp/f1" }, new TextEncoder().encode("1"));
    guest.call("write", { path: "/tmp/f2" }, new TextEncoder().encode("2"));
    guest.call("rename", { path: "/tmp/other", dest: "/tmp/empty" }, undefined);
    guest.call("rename", { path: "/tmp/f1", dest: "/tmp/f2" }, undefined);
    expect(guest.call("readdir", { path: "/tmp" }, undefined)).toEqual({
      value: [
        ["empty", "dir"],
        ["f2", "file"],
        ["full", "dir"],
      ],
    });
    expect(errorOf(() => guest.call("rename", { path: "/tmp/empty", dest: "/tmp/full" }, undefined)).code).toBe("ENOTEMPTY");
    expect(errorOf(() => guest.call("rename", { path: "/tmp/f2", dest: "/tmp/full" }, undefined)).code).toBe("EISDIR");
  });

  it("gives the space of deleted files back, whole trees included", () => {
    const guest = fsOf(undefined);
    guest.call("mkdir", { path: "/tmp/t/u", recursive: true }, undefined);
    guest.call("write", { path: "/tmp/t/u/f" }, new Uint8Array(100_000));
    expect(guest.tmpUsedBytes).toBe(2 * 4096 + Math.ceil(100_000 / 4096) * 4096);
    guest.call("rm", { path: "/tmp/t", recursive: true }, undefined);
    expect(guest.tmpUsedBytes).toBe(0);
  });
});
