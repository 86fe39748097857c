import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import type { AliasInput, StoredCode } from "../../src/registry/types.js";
import { ARN, expectLambdaError, PRECONDITION, removeTempDirs, SETTINGS, tempDir, UUID, zipOf } from "./helpers.js";

const LATEST_WEIGHTED = "$LATEST is not supported for an alias pointing to more than 1 version";
const NAME_PATTERN = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)";

let opened: OpenedRegistry;
let code: StoredCode;

beforeEach(async () => {
  opened = openRegistry(tempDir());
  code = await opened.code.put(zipOf({ "index.js": "exports.handler = async () => 'a';" }));
});

afterEach(() => opened.registry.close());
afterAll(removeTempDirs);

const registry = () => opened.registry;

/** A function with published versions 1..count (each with another timeout, so each publish is new). */
function withVersions(name: string, count: number): void {
  registry().createFunction({ functionName: name, ...SETTINGS, code });
  for (let i = 1; i <= count; i += 1) {
    registry().updateSettings(name, { timeout: i });
    registry().publishVersion(name);
  }
}

const names = (functionName: string, options: Parameters<typeof opened.registry.listAliases>[1] = {}) =>
  registry()
    .listAliases(functionName, options)
    .items.map((a) => a.name);

describe("createAlias and getAlias", () => {
  it("creates an alias with a revision id, an empty description and no weights by default", () => {
    withVersions("alpha", 1);
    const alias = registry().createAlias("alpha", "live", { functionVersion: "1" });
    expect(alias).toEqual({
      functionName: "alpha",
      name: "live",
      functionVersion: "1",
      description: "",
      additionalVersionWeights: {},
      revisionId: expect.stringMatching(UUID),
    });
    expect(registry().getAlias("alpha", "live")).toEqual(alias);
  });

  it("keeps a description and one weighted version, and may point to $LATEST without weights", () => {
    withVersions("alpha", 2);
    const weighted = registry().createAlias("alpha", "canary", {
      functionVersion: "1",
      description: "ten percent",
      additionalVersionWeights: { "2": 0.1 },
    });
    expect(weighted).toMatchObject({ description: "ten percent", additionalVersionWeights: { "2": 0.1 } });
    expect(registry().getAlias("alpha", "canary")).toEqual(weighted);
    expect(registry().createAlias("alpha", "head", { functionVersion: "$LATEST" }).functionVersion).toBe("$LATEST");
    // The weight bounds are inclusive.
    expect(registry().createAlias("alpha", "none", { functionVersion: "1", additionalVersionWeights: { "2": 0 } })).toMatchObject({
      additionalVersionWeights: { "2": 0 },
    });
    expect(registry().createAlias("alpha", "all", { functionVersion: "2", additionalVersionWeights: { "1": 1 } })).toMatchObject({
      additionalVersionWeights: { "1": 1 },
    });
  });

  it("accepts names of 1 to 128 letters, digits, - and _, not only digits", () => {
    withVersions("alpha", 1);
    for (const name of ["a", "1a", "a1", "-_", "PROD_v-2", "x".repeat(128)]) {
      expect(registry().createAlias("alpha", name, { functionVersion: "1" }).name).toBe(name);
    }
  });

  it("refuses other names, including version numbers and $LATEST", async () => {
    withVersions("alpha", 1);
    const prefix = (name: string) => `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must`;
    await expectLambdaError(
      () => registry().createAlias("alpha", "", { functionVersion: "1" }),
      "InvalidParameterValueException",
      `${prefix("")} have length greater than or equal to 1`,
    );
    const long = "x".repeat(129);
    await expectLambdaError(
      () => registry().createAlias("alpha", long, { functionVersion: "1" }),
      "InvalidParameterValueException",
      `${prefix(long)} have length less than or equal to 128`,
    );
    for (const name of ["1", "42", "$LATEST", "with space", "a.b", "a:b", "ünï"]) {
      await expectLambdaError(
        () => registry().createAlias("alpha", name, { functionVersion: "1" }),
        "InvalidParameterValueException",
        `${prefix(name)} satisfy regular expression pattern: ${NAME_PATTERN}`,
      );
    }
    expect(names("alpha")).toEqual([]);
  });

  it("refuses a missing function or target version", async () => {
    withVersions("alpha", 1);
    await expectLambdaError(
      () => registry().createAlias("ghost", "live", { functionVersion: "1" }),
      "ResourceNotFoundException",
      `Function not found: ${ARN}ghost`,
    );
    for (const version of ["2", "0", "latest"]) {
      await expectLambdaError(
        () => registry().createAlias("alpha", "live", { functionVersion: version }),
        "ResourceNotFoundException",
        `Function not found: ${ARN}alpha:${version}`,
      );
    }
    expect(registry().getAlias("alpha", "live")).toBeUndefined();
  });

  it("refuses a name already taken, leaving the alias as it was", async () => {
    withVersions("alpha", 2);
    const first = registry().createAlias("alpha", "live", { functionVersion: "1" });
    await expectLambdaError(
      () => registry().createAlias("alpha", "live", { functionVersion: "2" }),
      "ResourceConflictException",
      `Alias already exists: ${ARN}alpha:live`,
    );
    expect(registry().getAlias("alpha", "live")).toEqual(first);
    // Another function may use the name.
    withVersions("beta", 1);
    expect(registry().createAlias("beta", "live", { functionVersion: "1" }).functionName).toBe("beta");
  });

  it("returns undefined for a missing alias or function", () => {
    withVersions("alpha", 1);
    expect(registry().getAlias("alpha", "live")).toBeUndefined();
    expect(registry().getAlias("ghost", "live")).toBeUndefined();
  });
});

describe("routing weights", () => {
  const create = (input: AliasInput) => () => registry().createAlias("alpha", "live", input);

  it("allow at most one weighted version", async () => {
    withVersions("alpha", 3);
    await expectLambdaError(
      create({ functionVersion: "1", additionalVersionWeights: { "2": 0.1, "3": 0.1 } }),
      "InvalidParameterValueException",
      "Number of items in AdditionalVersionWeights cannot be greater than 1",
    );
  });

  it("must lie between 0 and 1", async () => {
    withVersions("alpha", 2);
    for (const weight of [-0.1, 1.5, Number.NaN]) {
      await expectLambdaError(
        create({ functionVersion: "1", additionalVersionWeights: { "2": weight } }),
        "ValidationException",
        `1 validation error detected: Value '{2=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
      );
    }
  });

  it("need a weighted version that exists and differs from the primary one", async () => {
    withVersions("alpha", 2);
    await expectLambdaError(
      create({ functionVersion: "1", additionalVersionWeights: { "7": 0.5 } }),
      "ResourceNotFoundException",
      `Function not found: ${ARN}alpha:7`,
    );
    await expectLambdaError(
      create({ functionVersion: "1", additionalVersionWeights: { "1": 0.5 } }),
      "InvalidParameterValueException",
      "Invalid function version 1. Function version 1 is already included in routing configuration.",
    );
    await expectLambdaError(
      create({ functionVersion: "1", additionalVersionWeights: { abc: 0.5 } }),
      "ValidationException",
      "1 validation error detected: Value '{abc=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]",
    );
  });

  it("are not supported with $LATEST on either side", async () => {
    withVersions("alpha", 2);
    await expectLambdaError(
      create({ functionVersion: "$LATEST", additionalVersionWeights: { "2": 0.5 } }),
      "InvalidParameterValueException",
      LATEST_WEIGHTED,
    );
    await expectLambdaError(
      create({ functionVersion: "1", additionalVersionWeights: { $LATEST: 0.5 } }),
      "InvalidParameterValueException",
      LATEST_WEIGHTED,
    );
    expect(registry().getAlias("alpha", "live")).toBeUndefined();
  });
});

describe("updateAlias", () => {
  it("changes what the patch gives, with a new revision id every time", () => {
    withVersions("alpha", 3);
    const created = registry().createAlias("alpha", "live", {
      functionVersion: "1",
      description: "d",
      additionalVersionWeights: { "2": 0.2 },
    });
    const moved = registry().updateAlias("alpha", "live", { functionVersion: "3" });
    expect(moved).toEqual({ ...created, functionVersion: "3", revisionId: expect.stringMatching(UUID) });
    const described = registry().updateAlias("alpha", "live", { description: "new" });
    expect(described).toMatchObject({ functionVersion: "3", description: "new", additionalVersionWeights: { "2": 0.2 } });
    const reweighted = registry().updateAlias("alpha", "live", { additionalVersionWeights: { "1": 0.7 } });
    expect(reweighted.additionalVersionWeights).toEqual({ "1": 0.7 });
    const cleared = registry().updateAlias("alpha", "live", { additionalVersionWeights: {} });
    expect(cleared.additionalVersionWeights).toEqual({});
    const same = registry().updateAlias("alpha", "live", {});
    const revisions = [created, moved, described, reweighted, cleared, same].map((a) => a.revisionId);
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(registry().getAlias("alpha", "live")).toEqual(same);
  });

  it("accepts the current revision id and refuses any other", async () => {
    withVersions("alpha", 2);
    const created = registry().createAlias("alpha", "live", { functionVersion: "1" });
    const updated = registry().updateAlias("alpha", "live", { functionVersion: "2" }, created.revisionId);
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { functionVersion: "1" }, created.revisionId),
      "PreconditionFailedException",
      PRECONDITION,
    );
    expect(registry().getAlias("alpha", "live")).toEqual(updated);
  });

  it("checks the alias as it would become, and leaves it unchanged when refused", async () => {
    withVersions("alpha", 2);
    const created = registry().createAlias("alpha", "live", { functionVersion: "1", additionalVersionWeights: { "2": 0.5 } });
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { functionVersion: "2" }),
      "InvalidParameterValueException",
      "Invalid function version 2. Function version 2 is already included in routing configuration.",
    );
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { functionVersion: "$LATEST" }),
      "InvalidParameterValueException",
      LATEST_WEIGHTED,
    );
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { functionVersion: "9" }),
      "ResourceNotFoundException",
      `Function not found: ${ARN}alpha:9`,
    );
    expect(registry().getAlias("alpha", "live")).toEqual(created);
    // Moving and clearing the weights at once is fine.
    expect(registry().updateAlias("alpha", "live", { functionVersion: "$LATEST", additionalVersionWeights: {} })).toMatchObject({
      functionVersion: "$LATEST",
      additionalVersionWeights: {},
    });
  });

  it("refuses a missing alias or function", async () => {
    withVersions("alpha", 1);
    await expectLambdaError(
      () => registry().updateAlias("alpha", "live", { functionVersion: "1" }),
      "ResourceNotFoundException",
      `Alias not found: ${ARN}alpha:live`,
    );
    await expectLambdaError(
      () => registry().updateAlias("ghost", "live", { functionVersion: "1" }),
      "ResourceNotFoundException",
      `Function not found: ${ARN}ghost`,
    );
  });
});

describe("deleteAlias", () => {
  it("removes the alias, and refuses a missing alias or function", async () => {
    withVersions("alpha", 1);
    registry().createAlias("alpha", "live", { functionVersion: "1" });
    registry().createAlias("alpha", "keep", { functionVersion: "1" });
    registry().deleteAlias("alpha", "live");
    expect(registry().getAlias("alpha", "live")).toBeUndefined();
    expect(names("alpha")).toEqual(["keep"]);
    await expectLambdaError(
      () => registry().deleteAlias("alpha", "live"),
      "ResourceNotFoundException",
      `Alias not found: ${ARN}alpha:live`,
    );
    await expectLambdaError(() => registry().deleteAlias("ghost", "live"), "ResourceNotFoundException", `Function not found: ${ARN}ghost`);
    // The name can be used again.
    expect(registry().createAlias("alpha", "live", { functionVersion: "$LATEST" }).functionVersion).toBe("$LATEST");
  });
});

describe("listAliases", () => {
  it("pages through a function's aliases by name", () => {
    withVersions("alpha", 1);
    withVersions("beta", 1);
    for (const name of ["kilo", "alpha", "echo", "charlie", "golf", "bravo", "delta"]) {
      registry().createAlias("alpha", name, { functionVersion: "1" });
    }
    registry().createAlias("beta", "zulu", { functionVersion: "1" });
    const pages: string[][] = [];
    let marker: string | undefined;
    do {
      const page = registry().listAliases("alpha", { maxItems: 3, marker });
      pages.push(page.items.map((a) => a.name));
      marker = page.nextMarker;
    } while (marker !== undefined);
    expect(pages).toEqual([["alpha", "bravo", "charlie"], ["delta", "echo", "golf"], ["kilo"]]);
    expect(registry().listAliases("alpha", { maxItems: 7 }).nextMarker).toBeUndefined();
    expect(registry().listAliases("alpha", {}).items[0]).toEqual(registry().getAlias("alpha", "alpha"));
    expect(names("beta")).toEqual(["zulu"]);
  });

  it("gives 50 items by default", () => {
    withVersions("alpha", 1);
    for (let i = 0; i < 55; i += 1) registry().createAlias("alpha", `a${String(i).padStart(2, "0")}`, { functionVersion: "1" });
    const first = registry().listAliases("alpha", {});
    expect(first.items).toHaveLength(50);
    expect(
      registry()
        .listAliases("alpha", { marker: first.nextMarker })
        .items.map((a) => a.name),
    ).toEqual(["a50", "a51", "a52", "a53", "a54"]);
  });

  it("keeps only the aliases whose primary version is functionVersion", () => {
    withVersions("alpha", 2);
    registry().createAlias("alpha", "one", { functionVersion: "1" });
    registry().createAlias("alpha", "one-to-two", { functionVersion: "1", additionalVersionWeights: { "2": 0.5 } });
    registry().createAlias("alpha", "two", { functionVersion: "2" });
    registry().createAlias("alpha", "head", { functionVersion: "$LATEST" });
    expect(names("alpha", { functionVersion: "1" })).toEqual(["one", "one-to-two"]);
    expect(names("alpha", { functionVersion: "2" })).toEqual(["two"]);
    expect(names("alpha", { functionVersion: "$LATEST" })).toEqual(["head"]);
    expect(names("alpha", { functionVersion: "7" })).toEqual([]);
    const page = registry().listAliases("alpha", { functionVersion: "1", maxItems: 1 });
    expect(page.items.map((a) => a.name)).toEqual(["one"]);
    expect(names("alpha", { functionVersion: "1", marker: page.nextMarker })).toEqual(["one-to-two"]);
  });

  it("refuses a missing function, a foreign marker and a bad MaxItems", async () => {
    withVersions("alpha", 0);
    await expectLambdaError(() => registry().listAliases("ghost", {}), "ResourceNotFoundException", `Function not found: ${ARN}ghost`);
    await expectLambdaError(
      () => registry().listAliases("alpha", { marker: "bogus" }),
      "InvalidParameterValueException",
      "Invalid Marker: bogus",
    );
    await expectLambdaError(
      () => registry().listAliases("alpha", { maxItems: 10_001 }),
      "ValidationException",
      "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
    );
  });
});

describe("tags", () => {
  it("lists {} for a function without tags, and the tags given at creation", () => {
    withVersions("plain", 0);
    registry().createFunction({ functionName: "tagged", ...SETTINGS, code, tags: { team: "core" } });
    expect(registry().listTags("plain")).toEqual({});
    expect(registry().listTags("tagged")).toEqual({ team: "core" });
  });

  it("merges tags in, replacing the values of keys already there", () => {
    registry().createFunction({ functionName: "alpha", ...SETTINGS, code, tags: { team: "core", env: "dev" } });
    registry().tagResource("alpha", { env: "prod", owner: "me" });
    expect(registry().listTags("alpha")).toEqual({ team: "core", env: "prod", owner: "me" });
    registry().tagResource("alpha", {});
    expect(registry().listTags("alpha")).toEqual({ team: "core", env: "prod", owner: "me" });
  });

  it("removes the keys given, ignoring keys the function does not have", () => {
    registry().createFunction({ functionName: "alpha", ...SETTINGS, code, tags: { team: "core", env: "dev", owner: "me" } });
    withVersions("beta", 0);
    registry().tagResource("beta", { team: "other" });
    registry().untagResource("alpha", ["team", "owner", "absent"]);
    expect(registry().listTags("alpha")).toEqual({ env: "dev" });
    expect(registry().listTags("beta")).toEqual({ team: "other" });
    registry().untagResource("alpha", []);
    expect(registry().listTags("alpha")).toEqual({ env: "dev" });
  });

  it("refuses a missing function in all three operations", async () => {
    const message = `Function not found: ${ARN}ghost`;
    await expectLambdaError(() => registry().listTags("ghost"), "ResourceNotFoundException", message);
    await expectLambdaError(() => registry().tagResource("ghost", { a: "1" }), "ResourceNotFoundException", message);
    await expectLambdaError(() => registry().untagResource("ghost", ["a"]), "ResourceNotFoundException", message);
  });
});
