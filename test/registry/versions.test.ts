import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { MIGRATIONS, migrate } from "../../src/registry/migrations.js";
import type { FunctionSettings, StoredCode } from "../../src/registry/types.js";
import { ARN, expectLambdaError, LAMBDA_TIME, PRECONDITION, removeTempDirs, SETTINGS, tempDir, UUID, zipOf } from "./helpers.js";

let dataDir: string;
let opened: OpenedRegistry;
let codeA: StoredCode;
let codeB: StoredCode;

beforeEach(async () => {
  dataDir = tempDir();
  opened = openRegistry(dataDir);
  codeA = await opened.code.put(zipOf({ "index.js": "exports.handler = async () => 'a';" }));
  codeB = await opened.code.put(zipOf({ "index.js": "exports.handler = async () => 'b';" }));
});

afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const registry = () => opened.registry;
const create = (name: string, extra: Partial<FunctionSettings> & { tags?: Record<string, string> } = {}) =>
  registry().createFunction({ functionName: name, ...SETTINGS, code: codeA, ...extra });
const versionsOf = (name: string) =>
  registry()
    .listVersions(name, { maxItems: 10_000 })
    .items.map((v) => v.version);

describe("publishVersion", () => {
  it("snapshots $LATEST into version 1 with its own revision id, leaving $LATEST as it was", () => {
    const latest = create("alpha", { description: "desc", environment: { STAGE: "dev" } });
    const v1 = registry().publishVersion("alpha");
    expect(v1).toEqual({
      ...latest,
      version: "1",
      revisionId: expect.stringMatching(UUID),
      lastModified: expect.stringMatching(LAMBDA_TIME),
    });
    expect(v1.revisionId).not.toBe(latest.revisionId);
    expect(registry().getVersion("alpha", "1")).toEqual(v1);
    expect(registry().getVersion("alpha")).toEqual(latest);
  });

  it("returns the newest version again while nothing changed, whatever description is asked for", () => {
    create("alpha");
    const v1 = registry().publishVersion("alpha", { description: "release 1" });
    expect(v1.description).toBe("release 1");
    expect(registry().publishVersion("alpha")).toEqual(v1);
    expect(registry().publishVersion("alpha", { description: "other" })).toEqual(v1);
    expect(versionsOf("alpha")).toEqual(["$LATEST", "1"]);
  });

  it("publishes a new version after updateCode", () => {
    create("alpha");
    const v1 = registry().publishVersion("alpha");
    registry().updateCode("alpha", codeB);
    const v2 = registry().publishVersion("alpha");
    expect(v2).toMatchObject({ version: "2", codeSha256: codeB.codeSha256, codeSize: codeB.codeSize });
    expect(registry().getVersion("alpha", "1")).toEqual(v1);
    expect(registry().publishVersion("alpha")).toEqual(v2);
  });

  it("publishes a new version after updateSettings changes any setting", () => {
    create("alpha");
    registry().publishVersion("alpha");
    const patches: Array<Partial<FunctionSettings>> = [
      { runtime: "nodejs22.x" },
      { handler: "other.handler" },
      { memorySize: 256 },
      { timeout: 30 },
      { description: "changed" },
      { environment: { A: "1" } },
      { role: "arn:aws:iam::000000000000:role/other" },
    ];
    for (const [i, patch] of patches.entries()) {
      registry().updateSettings("alpha", patch);
      const published = registry().publishVersion("alpha");
      expect(published).toMatchObject({ version: String(i + 2), ...patch });
      expect(registry().publishVersion("alpha").version).toBe(String(i + 2));
    }
  });

  it("compares content, not revisions: settings set back to the published ones publish nothing new", () => {
    create("alpha", { environment: { A: "1", B: "2" } });
    const v1 = registry().publishVersion("alpha");
    registry().updateSettings("alpha", { timeout: 60 });
    registry().updateSettings("alpha", { timeout: SETTINGS.timeout, environment: { B: "2", A: "1" } });
    expect(registry().publishVersion("alpha")).toEqual(v1);
  });

  it("takes the description from $LATEST by default, and an unchanged $LATEST keeps matching a version published with its own", () => {
    create("alpha", { description: "from latest" });
    expect(registry().publishVersion("alpha").description).toBe("from latest");
    registry().updateCode("alpha", codeB);
    const v2 = registry().publishVersion("alpha", { description: "mine" });
    expect(v2.description).toBe("mine");
    expect(registry().getVersion("alpha")?.description).toBe("from latest");
    expect(registry().publishVersion("alpha")).toEqual(v2);
    registry().updateSettings("alpha", { description: "mine" });
    expect(registry().publishVersion("alpha").version).toBe("3");
  });

  it("keeps published versions immutable while $LATEST changes", () => {
    create("alpha");
    const v1 = registry().publishVersion("alpha");
    registry().updateCode("alpha", codeB);
    registry().updateSettings("alpha", { memorySize: 1024, environment: { X: "y" } }, registry().getVersion("alpha")?.revisionId);
    expect(registry().getVersion("alpha", "1")).toEqual(v1);
    expect(registry().getVersion("alpha")).toMatchObject({ memorySize: 1024, codeSha256: codeB.codeSha256 });
  });

  it("checks CodeSha256 against $LATEST", async () => {
    create("alpha");
    await expectLambdaError(
      () => registry().publishVersion("alpha", { codeSha256: codeB.codeSha256 }),
      "InvalidParameterValueException",
      `CodeSHA256 (${codeB.codeSha256}) is different from current CodeSHA256 in $LATEST (${codeA.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
    expect(versionsOf("alpha")).toEqual(["$LATEST"]);
    expect(registry().publishVersion("alpha", { codeSha256: codeA.codeSha256 }).version).toBe("1");
  });

  it("checks the revision id against $LATEST's", async () => {
    const latest = create("alpha");
    await expectLambdaError(() => registry().publishVersion("alpha", { revisionId: "stale" }), "PreconditionFailedException", PRECONDITION);
    expect(versionsOf("alpha")).toEqual(["$LATEST"]);
    const v1 = registry().publishVersion("alpha", { revisionId: latest.revisionId });
    // The version's own revision id is no $LATEST revision.
    await expectLambdaError(
      () => registry().publishVersion("alpha", { revisionId: v1.revisionId }),
      "PreconditionFailedException",
      PRECONDITION,
    );
  });

  it("refuses a missing function", async () => {
    await expectLambdaError(() => registry().publishVersion("ghost"), "ResourceNotFoundException", `Function not found: ${ARN}ghost`);
  });

  it("never reuses a number, even after the newest version is deleted", () => {
    create("alpha");
    registry().publishVersion("alpha");
    registry().updateCode("alpha", codeB);
    registry().publishVersion("alpha");
    registry().deleteFunction("alpha", "2");
    // $LATEST still equals the deleted version 2, not version 1: a new version, number 3.
    expect(registry().publishVersion("alpha").version).toBe("3");
    registry().deleteFunction("alpha", "3");
    registry().deleteFunction("alpha", "1");
    registry().updateCode("alpha", codeA);
    expect(registry().publishVersion("alpha").version).toBe("4");
    expect(versionsOf("alpha")).toEqual(["$LATEST", "4"]);
  });

  it("counts a function's versions on their own, and from 1 again for a re-created function", () => {
    create("alpha");
    create("beta");
    registry().publishVersion("alpha");
    registry().updateCode("alpha", codeB);
    registry().publishVersion("alpha");
    expect(registry().publishVersion("beta").version).toBe("1");
    registry().deleteFunction("alpha");
    create("alpha");
    expect(versionsOf("alpha")).toEqual(["$LATEST"]);
    expect(registry().publishVersion("alpha").version).toBe("1");
  });
});

describe("listVersions", () => {
  it("lists $LATEST first, then the versions in numeric order, page by page", () => {
    create("alpha");
    create("beta");
    registry().publishVersion("beta");
    for (let i = 1; i <= 11; i += 1) {
      registry().updateSettings("alpha", { timeout: i });
      registry().publishVersion("alpha");
    }
    const pages: string[][] = [];
    let marker: string | undefined;
    do {
      const page = registry().listVersions("alpha", { maxItems: 5, marker });
      expect(page.items.every((v) => v.functionName === "alpha")).toBe(true);
      pages.push(page.items.map((v) => v.version));
      marker = page.nextMarker;
    } while (marker !== undefined);
    expect(pages).toEqual([
      ["$LATEST", "1", "2", "3", "4"],
      ["5", "6", "7", "8", "9"],
      ["10", "11"],
    ]);
    expect(registry().listVersions("alpha", { maxItems: 12 }).nextMarker).toBeUndefined();
    expect(
      registry()
        .listVersions("beta", {})
        .items.map((v) => v.version),
    ).toEqual(["$LATEST", "1"]);
  });

  it("gives 50 items by default", () => {
    create("alpha");
    for (let i = 1; i <= 55; i += 1) {
      registry().updateSettings("alpha", { timeout: i });
      registry().publishVersion("alpha");
    }
    const first = registry().listVersions("alpha", {});
    expect(first.items).toHaveLength(50);
    const rest = registry().listVersions("alpha", { marker: first.nextMarker });
    expect(rest.items.map((v) => v.version)).toEqual(["50", "51", "52", "53", "54", "55"]);
    expect(rest.nextMarker).toBeUndefined();
  });

  it("refuses a missing function, a foreign marker and a bad MaxItems", async () => {
    create("alpha");
    await expectLambdaError(() => registry().listVersions("ghost", {}), "ResourceNotFoundException", `Function not found: ${ARN}ghost`);
    await expectLambdaError(
      () => registry().listVersions("alpha", { marker: "bogus" }),
      "InvalidParameterValueException",
      "Invalid Marker: bogus",
    );
    await expectLambdaError(
      () => registry().listVersions("alpha", { maxItems: 0 }),
      "ValidationException",
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
    );
  });
});

describe("deleteFunction and versions", () => {
  it("refuses to delete a version an alias routes to, as primary or weighted version", async () => {
    create("alpha");
    for (const timeout of [10, 20, 30]) {
      registry().updateSettings("alpha", { timeout });
      registry().publishVersion("alpha");
    }
    registry().createAlias("alpha", "live", { functionVersion: "1", additionalVersionWeights: { "2": 0.1 } });
    registry().createAlias("alpha", "beta", { functionVersion: "2" });
    await expectLambdaError(
      () => registry().deleteFunction("alpha", "1"),
      "ResourceConflictException",
      "Unable to delete version because the following aliases reference it: [live]",
    );
    await expectLambdaError(
      () => registry().deleteFunction("alpha", "2"),
      "ResourceConflictException",
      "Unable to delete version because the following aliases reference it: [beta, live]",
    );
    expect(versionsOf("alpha")).toEqual(["$LATEST", "1", "2", "3"]);
    // A missing version is still "not found", not a conflict.
    await expectLambdaError(
      () => registry().deleteFunction("alpha", "9"),
      "ResourceNotFoundException",
      `Function not found: ${ARN}alpha:9`,
    );

    // A version no alias routes to goes.
    registry().deleteFunction("alpha", "3");
    expect(versionsOf("alpha")).toEqual(["$LATEST", "1", "2"]);
  });

  it("deletes a version once no alias routes to it any more", () => {
    create("alpha");
    registry().publishVersion("alpha");
    registry().updateCode("alpha", codeB);
    registry().publishVersion("alpha");
    registry().createAlias("alpha", "live", { functionVersion: "1", additionalVersionWeights: { "2": 0.5 } });
    registry().updateAlias("alpha", "live", { additionalVersionWeights: {} });
    registry().deleteFunction("alpha", "2");
    registry().updateAlias("alpha", "live", { functionVersion: "$LATEST" });
    registry().deleteFunction("alpha", "1");
    expect(versionsOf("alpha")).toEqual(["$LATEST"]);
  });

  it("deletes the function's versions, aliases and tags with it", async () => {
    create("alpha", { tags: { team: "core" } });
    registry().publishVersion("alpha");
    registry().createAlias("alpha", "live", { functionVersion: "1" });
    registry().deleteFunction("alpha");
    expect(registry().getVersion("alpha", "1")).toBeUndefined();
    expect(registry().getAlias("alpha", "live")).toBeUndefined();
    await expectLambdaError(() => registry().listTags("alpha"), "ResourceNotFoundException", `Function not found: ${ARN}alpha`);
    create("alpha");
    expect(versionsOf("alpha")).toEqual(["$LATEST"]);
    expect(registry().listAliases("alpha", {}).items).toEqual([]);
    expect(registry().listTags("alpha")).toEqual({});
    // The alias name is free again.
    expect(registry().createAlias("alpha", "live", { functionVersion: "$LATEST" }).functionVersion).toBe("$LATEST");
  });
});

describe("persistence", () => {
  it("keeps versions, aliases, tags and the version counter across a close and reopen", async () => {
    create("alpha", { tags: { team: "core" } });
    const v1 = registry().publishVersion("alpha", { description: "one" });
    registry().updateCode("alpha", codeB);
    const v2 = registry().publishVersion("alpha");
    registry().deleteFunction("alpha", "2");
    const alias = registry().createAlias("alpha", "live", { functionVersion: "1", description: "prod" });
    registry().tagResource("alpha", { env: "prod" });
    opened.registry.close();

    opened = openRegistry(dataDir);
    expect(registry().getVersion("alpha", "1")).toEqual(v1);
    expect(registry().getVersion("alpha", "2")).toBeUndefined();
    expect(registry().getAlias("alpha", "live")).toEqual(alias);
    expect(registry().listTags("alpha")).toEqual({ env: "prod", team: "core" });
    // Still the same $LATEST as the deleted version 2, still number 3 next.
    expect(registry().publishVersion("alpha")).toMatchObject({ version: "3", codeSha256: v2.codeSha256 });
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { description: "x" }, "stale"),
      "PreconditionFailedException",
      PRECONDITION,
    );
    expect(registry().updateAlias("alpha", "live", { description: "x" }, alias.revisionId).description).toBe("x");
  });
});

describe("a database from before versions and aliases (schema step 1)", () => {
  it("is migrated with its data kept, and works on", () => {
    const dir = tempDir();
    const db = new Sqlite(path.join(dir, "registry.db"));
    try {
      migrate(db, MIGRATIONS.slice(0, 1));
      db.prepare("INSERT INTO code (sha256, size, created) VALUES (?, ?, ?)").run("c2hh", 42, "2024-01-31T12:00:00.000+0000");
      const insert = db.prepare(
        `INSERT INTO functions (name, version, version_number, runtime, handler, memory_size, timeout, description, environment,
           role, code_sha256, revision_id, last_modified)
         VALUES (?, ?, ?, 'nodejs20.x', 'index.handler', 128, 3, 'old', '{"A":"1"}', 'arn:aws:iam::000000000000:role/r', 'c2hh', ?,
           '2024-01-31T12:00:00.000+0000')`,
      );
      insert.run("legacy", "$LATEST", 0, "rev-latest");
      insert.run("legacy", "1", 1, "rev-1");
      insert.run("legacy", "2", 2, "rev-2");
      db.prepare("INSERT INTO tags (function_name, key, value) VALUES ('legacy', 'team', 'core')").run();
    } finally {
      db.close();
    }

    opened.registry.close();
    opened = openRegistry(dir);
    const check = new Sqlite(path.join(dir, "registry.db"), { readonly: true });
    try {
      expect(check.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      check.close();
    }
    const latest = registry().getVersion("legacy");
    expect(latest).toMatchObject({
      version: "$LATEST",
      description: "old",
      environment: { A: "1" },
      codeSize: 42,
      revisionId: "rev-latest",
    });
    expect(registry().getVersion("legacy", "2")).toMatchObject({ version: "2", revisionId: "rev-2", codeSha256: "c2hh" });
    expect(registry().listTags("legacy")).toEqual({ team: "core" });
    expect(versionsOf("legacy")).toEqual(["$LATEST", "1", "2"]);
    // Version 2 equals $LATEST (its description compared as its own): nothing new to publish.
    expect(registry().publishVersion("legacy").version).toBe("2");
    registry().updateSettings("legacy", { timeout: 9 });
    expect(registry().publishVersion("legacy").version).toBe("3");
    expect(registry().createAlias("legacy", "live", { functionVersion: "3" }).functionVersion).toBe("3");
  });
});
