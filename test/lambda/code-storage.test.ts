/** The account's code storage limit, through the core's interface: a real registry and code store in a temp dir. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { withStoredZip } from "../../src/lambda/code-storage.js";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { expectLambdaError, removeTempDirs, SETTINGS, sha256Base64, tempDir, zipOf } from "../registry/helpers.js";

let opened: OpenedRegistry;

beforeEach(() => {
  opened = openRegistry(tempDir());
});
afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const storage = (limit: number) => ({ registry: opened.registry, code: opened.code, codeStorageLimitBytes: limit });
const first = zipOf({ "index.js": "exports.handler = async () => 1;" });
const second = zipOf({ "index.js": "exports.handler = async () => 2;" });

describe("storing a zip within the account's code storage", () => {
  it("stores a zip that fills the limit exactly, and keeps it for the version written with it", async () => {
    const created = await withStoredZip(storage(first.length), first, (code) =>
      opened.registry.createFunction({ functionName: "fits", ...SETTINGS, code }),
    );
    expect(created.codeSha256).toBe(sha256Base64(first));
    expect(opened.code.get(created.codeSha256)).toBeDefined();
    expect(opened.registry.codeStorageBytes()).toBe(first.length);
  });

  it("refuses a zip one byte beyond, with Lambda's error, storing nothing and never calling use", async () => {
    await withStoredZip(storage(first.length + second.length), first, (code) =>
      opened.registry.createFunction({ functionName: "one", ...SETTINGS, code }),
    );
    let used = false;
    await expectLambdaError(
      () =>
        withStoredZip(storage(first.length + second.length - 1), second, () => {
          used = true;
        }),
      "CodeStorageExceededException",
      "Code storage limit exceeded.",
    );
    expect(used).toBe(false);
    expect(opened.code.get(sha256Base64(second))).toBeUndefined();
  });

  it("counts layer versions in the account-wide total", async () => {
    await withStoredZip(storage(first.length), first, (code) =>
      opened.registry.publishLayerVersion({
        layerName: "shared",
        description: "",
        compatibleRuntimes: [],
        compatibleArchitectures: [],
        code,
      }),
    );
    await expectLambdaError(
      () => withStoredZip(storage(first.length + second.length - 1), second, () => undefined),
      "CodeStorageExceededException",
      "Code storage limit exceeded.",
    );
  });

  it("removes the package when use fails and nothing else uses it, passing the failure on", async () => {
    const failure = new Error("the version could not be written");
    await expect(
      withStoredZip(storage(first.length), first, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(opened.code.get(sha256Base64(first))).toBeUndefined();
    expect(opened.registry.codeStorageBytes()).toBe(0);
  });
});
