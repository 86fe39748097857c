import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { MIGRATIONS, migrate } from "../../src/registry/migrations.js";
import { lambdaTimestamp } from "../../src/registry/timestamp.js";
import type { StoredCode } from "../../src/registry/types.js";
import { waitFor } from "../wait.js";
import {
  ARN,
  expectLambdaError,
  LAMBDA_TIME,
  PRECONDITION,
  removeTempDirs,
  SETTINGS,
  sha256Base64,
  tempDir,
  UUID,
  zipOf,
} from "./helpers.js";

let dataDir: string;
let opened: OpenedRegistry;
let codeA: StoredCode;
let codeB: StoredCode;
const zipA = zipOf({ "index.js": "exports.handler = async () => 'a';" });
const zipB = zipOf({ "index.js": "exports.handler = async () => 'b';", "lib/util.js": "module.exports = 1;" });

beforeEach(async () => {
  dataDir = tempDir();
  opened = openRegistry(dataDir);
  codeA = await opened.code.put(zipA);
  codeB = await opened.code.put(zipB);
});

afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const create = (name: string, code = codeA, extra = {}) =>
  opened.registry.createFunction({ functionName: name, ...SETTINGS, code, ...extra });

/** Inserts a published version straight into the table, as PublishVersion will. */
function publish(name: string, version: number): void {
  const db = new Sqlite(path.join(dataDir, "registry.db"));
  try {
    db.prepare(
      `INSERT INTO functions (name, version, version_number, runtime, handler, memory_size, timeout, description, environment,
         role, code_sha256, revision_id, last_modified)
       SELECT name, ?, ?, runtime, handler, memory_size, timeout, description, environment, role, code_sha256,
         'rev-' || ?, last_modified FROM functions WHERE name = ? AND version = '$LATEST'`,
    ).run(String(version), version, String(version), name);
  } finally {
    db.close();
  }
}

describe("the database file", () => {
  it("is registry.db in WAL mode, with a busy timeout and the newest schema", () => {
    const db = new Sqlite(path.join(dataDir, "registry.db"), { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all();
      // The registry's own tables; the boxes sharing the store (async, queues, sources) add theirs.
      expect(tables).toEqual(
        expect.arrayContaining(["aliases", "code", "concurrency", "functions", "layer_versions", "layers", "provisioned", "tags"]),
      );
    } finally {
      db.close();
    }
  });

  it("runs only the steps a database has not had, each once", () => {
    const db = new Sqlite(path.join(tempDir(), "m.db"));
    try {
      const steps = [...MIGRATIONS, "CREATE TABLE extra (name TEXT PRIMARY KEY) STRICT"];
      migrate(db, MIGRATIONS);
      expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
      migrate(db, steps);
      expect(db.pragma("user_version", { simple: true })).toBe(steps.length);
      // Again: nothing left to run (a second CREATE TABLE extra would throw).
      migrate(db, steps);
      expect(() => migrate(db, MIGRATIONS)).toThrow(
        `schema version ${steps.length} is newer than this isolambda supports (${MIGRATIONS.length})`,
      );
    } finally {
      db.close();
    }
  });
});

describe("createFunction and getVersion", () => {
  it("creates $LATEST with the settings, the code, a revision id and Lambda's timestamp", () => {
    const before = Date.now();
    const created = create("alpha", codeB, { environment: { STAGE: "dev" }, description: "first" });
    expect(created).toEqual({
      ...SETTINGS,
      functionName: "alpha",
      version: "$LATEST",
      environment: { STAGE: "dev" },
      description: "first",
      codeSha256: sha256Base64(zipB),
      codeSize: zipB.length,
      revisionId: expect.stringMatching(UUID),
      lastModified: expect.stringMatching(LAMBDA_TIME),
    });
    const modified = Date.parse(created.lastModified.replace("+0000", "Z"));
    expect(modified).toBeGreaterThanOrEqual(before - 1);
    expect(modified).toBeLessThanOrEqual(Date.now());
    expect(opened.registry.getVersion("alpha")).toEqual(created);
    expect(opened.registry.getVersion("alpha", "$LATEST")).toEqual(created);
  });

  it("refuses an existing name with ResourceConflictException", async () => {
    const first = create("alpha");
    await expectLambdaError(() => create("alpha", codeB), "ResourceConflictException", "Function already exist: alpha");
    expect(opened.registry.getVersion("alpha")).toEqual(first);
  });

  it("returns undefined for a missing function, version or alias", () => {
    create("alpha");
    expect(opened.registry.getVersion("nope")).toBeUndefined();
    expect(opened.registry.getVersion("alpha", "1")).toBeUndefined();
    expect(opened.registry.getVersion("alpha", "live")).toBeUndefined();
  });

  it("keeps the tags given at creation", () => {
    create("alpha", codeA, { tags: { team: "core", env: "dev" } });
    create("beta");
    expect(opened.registry.listTags("alpha")).toEqual({ env: "dev", team: "core" });
    expect(opened.registry.listTags("beta")).toEqual({});
  });
});

/** Resolves once a new LastModified (millisecond resolution) would be later than `lastModified`. */
const clockPast = (lastModified: string) =>
  waitFor(() => lambdaTimestamp() > lastModified, `the clock past ${lastModified}`, { intervalMs: 1 });

describe("updateCode and updateSettings", () => {
  it("gives every change to $LATEST a new revision id and LastModified", async () => {
    const created = create("alpha");
    await clockPast(created.lastModified);
    const recoded = opened.registry.updateCode("alpha", codeB);
    expect(recoded.codeSha256).toBe(sha256Base64(zipB));
    expect(recoded.codeSize).toBe(zipB.length);
    expect(recoded.revisionId).toMatch(UUID);
    expect(recoded.revisionId).not.toBe(created.revisionId);
    expect(recoded.lastModified > created.lastModified).toBe(true);

    await clockPast(recoded.lastModified);
    const reset = opened.registry.updateSettings("alpha", { memorySize: 512, environment: { A: "1" } });
    expect(reset).toMatchObject({ memorySize: 512, environment: { A: "1" }, timeout: 3, handler: "index.handler" });
    expect(reset.codeSha256).toBe(codeB.codeSha256);
    expect(new Set([created.revisionId, recoded.revisionId, reset.revisionId]).size).toBe(3);
    expect(reset.lastModified > recoded.lastModified).toBe(true);
    expect(opened.registry.getVersion("alpha")).toEqual(reset);
  });

  it("changes only the settings the patch gives", () => {
    create("alpha", codeA, { description: "keep", environment: { KEEP: "yes" } });
    const updated = opened.registry.updateSettings("alpha", { timeout: 30, handler: undefined });
    expect(updated).toMatchObject({ timeout: 30, handler: "index.handler", description: "keep", environment: { KEEP: "yes" } });
    // An environment replaces the variables as a whole, as UpdateFunctionConfiguration does.
    expect(opened.registry.updateSettings("alpha", { environment: { NEW: "1" } }).environment).toEqual({ NEW: "1" });
  });

  it("accepts the current revision id and refuses any other with PreconditionFailedException", async () => {
    const created = create("alpha");
    const updated = opened.registry.updateCode("alpha", codeB, created.revisionId);
    await expectLambdaError(
      () => opened.registry.updateCode("alpha", codeA, created.revisionId),
      "PreconditionFailedException",
      PRECONDITION,
    );
    await expectLambdaError(
      () => opened.registry.updateSettings("alpha", { timeout: 9 }, "not-a-revision"),
      "PreconditionFailedException",
      PRECONDITION,
    );
    // Nothing changed by the refused calls.
    expect(opened.registry.getVersion("alpha")).toEqual(updated);
    expect(opened.registry.updateSettings("alpha", { timeout: 9 }, updated.revisionId).timeout).toBe(9);
  });

  it("refuses a missing function with ResourceNotFoundException", async () => {
    await expectLambdaError(
      () => opened.registry.updateCode("ghost", codeA),
      "ResourceNotFoundException",
      `Function not found: ${ARN}ghost`,
    );
    await expectLambdaError(
      () => opened.registry.updateSettings("ghost", { timeout: 5 }, "any"),
      "ResourceNotFoundException",
      `Function not found: ${ARN}ghost`,
    );
  });

  it("names the configured region and account in its ARNs", async () => {
    opened.registry.close();
    opened = openRegistry(dataDir, { region: "eu-west-3", accountId: "123456789012" });
    await expectLambdaError(
      () => opened.registry.updateCode("ghost", codeA),
      "ResourceNotFoundException",
      "Function not found: arn:aws:lambda:eu-west-3:123456789012:function:ghost",
    );
  });
});

describe("listFunctions", () => {
  const names = ["kilo", "alpha", "echo", "charlie", "golf", "bravo", "delta"];

  it("pages through $LATEST of every function in name order", () => {
    for (const name of names) create(name);
    publish("bravo", 1);
    const seen: string[][] = [];
    let marker: string | undefined;
    do {
      const page = opened.registry.listFunctions({ maxItems: 3, marker });
      seen.push(page.items.map((v) => `${v.functionName}:${v.version}`));
      marker = page.nextMarker;
    } while (marker !== undefined);
    expect(seen).toEqual([
      ["alpha:$LATEST", "bravo:$LATEST", "charlie:$LATEST"],
      ["delta:$LATEST", "echo:$LATEST", "golf:$LATEST"],
      ["kilo:$LATEST"],
    ]);
  });

  it("has no nextMarker when a page holds the rest exactly, and 50 items by default", () => {
    for (const name of names) create(name);
    expect(opened.registry.listFunctions({ maxItems: 7 }).nextMarker).toBeUndefined();
    for (let i = 0; i < 60; i += 1) create(`fn-${String(i).padStart(2, "0")}`);
    const first = opened.registry.listFunctions({});
    expect(first.items).toHaveLength(50);
    expect(first.nextMarker).toEqual(expect.any(String));
    const second = opened.registry.listFunctions({ marker: first.nextMarker });
    expect(second.items).toHaveLength(17);
    expect(second.nextMarker).toBeUndefined();
    expect(new Set([...first.items, ...second.items].map((v) => v.functionName)).size).toBe(67);
  });

  it("lists every version with allVersions, $LATEST first, versions in numeric order", () => {
    create("alpha");
    create("beta");
    for (const v of [1, 2, 10]) publish("alpha", v);
    const page1 = opened.registry.listFunctions({ allVersions: true, maxItems: 2 });
    const page2 = opened.registry.listFunctions({ allVersions: true, maxItems: 2, marker: page1.nextMarker });
    const page3 = opened.registry.listFunctions({ allVersions: true, maxItems: 2, marker: page2.nextMarker });
    expect([page1, page2, page3].map((p) => p.items.map((v) => `${v.functionName}:${v.version}`))).toEqual([
      ["alpha:$LATEST", "alpha:1"],
      ["alpha:2", "alpha:10"],
      ["beta:$LATEST"],
    ]);
    expect(page3.nextMarker).toBeUndefined();
    expect(opened.registry.getVersion("alpha", "10")).toMatchObject({ version: "10", revisionId: "rev-10", codeSha256: codeA.codeSha256 });
  });

  it("continues after a marker's function even when that function is deleted meanwhile", () => {
    for (const name of names) create(name);
    const first = opened.registry.listFunctions({ maxItems: 2 });
    opened.registry.deleteFunction("bravo");
    const next = opened.registry.listFunctions({ maxItems: 2, marker: first.nextMarker });
    expect(next.items.map((v) => v.functionName)).toEqual(["charlie", "delta"]);
  });

  it("refuses a marker it did not make", async () => {
    await expectLambdaError(
      () => opened.registry.listFunctions({ marker: "bogus" }),
      "InvalidParameterValueException",
      "Invalid Marker: bogus",
    );
  });
});

describe("deleteFunction", () => {
  it("removes the function with its versions and tags", () => {
    create("alpha", codeA, { tags: { a: "1" } });
    publish("alpha", 1);
    create("beta");
    opened.registry.deleteFunction("alpha");
    expect(opened.registry.getVersion("alpha")).toBeUndefined();
    expect(opened.registry.getVersion("alpha", "1")).toBeUndefined();
    expect(() => opened.registry.listTags("alpha")).toThrow(`Function not found: ${ARN}alpha`);
    expect(opened.registry.listFunctions({ allVersions: true }).items.map((v) => v.functionName)).toEqual(["beta"]);
    // The name is free again, without the old tags.
    create("alpha");
    expect(opened.registry.listTags("alpha")).toEqual({});
  });

  it("removes only the named version with a qualifier", () => {
    create("alpha");
    publish("alpha", 1);
    publish("alpha", 3);
    opened.registry.deleteFunction("alpha", "3");
    expect(opened.registry.getVersion("alpha", "3")).toBeUndefined();
    expect(opened.registry.getVersion("alpha", "1")?.version).toBe("1");
    expect(opened.registry.getVersion("alpha")?.version).toBe("$LATEST");
  });

  it("refuses $LATEST as a qualifier, and a missing function or version", async () => {
    create("alpha");
    await expectLambdaError(
      () => opened.registry.deleteFunction("alpha", "$LATEST"),
      "InvalidParameterValueException",
      "$LATEST version cannot be deleted without deleting the function.",
    );
    await expectLambdaError(() => opened.registry.deleteFunction("ghost"), "ResourceNotFoundException", `Function not found: ${ARN}ghost`);
    await expectLambdaError(
      () => opened.registry.deleteFunction("alpha", "7"),
      "ResourceNotFoundException",
      `Function not found: ${ARN}alpha:7`,
    );
    expect(opened.registry.getVersion("alpha")).toBeDefined();
  });
});

describe("codeStorageBytes", () => {
  it("sums the distinct packages that some version uses", async () => {
    expect(opened.registry.codeStorageBytes()).toBe(0);
    create("alpha", codeA);
    create("beta", codeA);
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length);
    create("gamma", codeB);
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length + zipB.length);
    // A package stored but used by no version does not count.
    await opened.code.put(zipOf({ "unused.js": "" }));
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length + zipB.length);
    // A published version keeps its package counted after $LATEST moves on.
    publish("gamma", 1);
    opened.registry.updateCode("gamma", codeA);
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length + zipB.length);
    opened.registry.deleteFunction("gamma");
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length);
  });
});

describe("persistence", () => {
  it("keeps functions, versions, tags and code across a close and reopen", async () => {
    const alpha = opened.registry.updateSettings(create("alpha", codeA, { tags: { team: "core" } }).functionName, {
      environment: { STAGE: "prod" },
    });
    const beta = create("beta", codeB);
    publish("beta", 1);
    const before = opened.registry.listFunctions({ allVersions: true }).items;
    opened.registry.close();

    opened = openRegistry(dataDir);
    expect(opened.registry.getVersion("alpha")).toEqual(alpha);
    expect(opened.registry.getVersion("beta")).toEqual(beta);
    expect(opened.registry.listFunctions({ allVersions: true }).items).toEqual(before);
    expect(opened.registry.listTags("alpha")).toEqual({ team: "core" });
    expect(opened.code.get(codeA.codeSha256)).toEqual(codeA);
    expect(opened.code.get(codeB.codeSha256)).toEqual(codeB);
    expect(opened.registry.codeStorageBytes()).toBe(zipA.length + zipB.length);
    // And it goes on: a reopened registry still checks revisions.
    await expectLambdaError(() => opened.registry.updateCode("alpha", codeB, "stale"), "PreconditionFailedException", PRECONDITION);
    expect(opened.registry.updateCode("alpha", codeB, alpha.revisionId).codeSha256).toBe(codeB.codeSha256);
  });
});
