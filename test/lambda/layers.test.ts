/** Lambda's limit on a function and its layers unzipped together, without writing 250 MB to disk. */
import { describe, expect, it } from "vitest";
import { LambdaError } from "../../src/lambda/errors.js";
import { checkCombinedSize } from "../../src/lambda/layers.js";
import type { CodeStore, LayerRef, StoredCode } from "../../src/registry/types.js";

const MB = 1_000_000;

/** A code store knowing only the unzipped sizes of some packages. */
function depsWith(sizes: Record<string, number>): { code: Pick<CodeStore, "get"> } {
  const code: Pick<CodeStore, "get"> = {
    get: (sha): StoredCode | undefined =>
      sizes[sha] === undefined ? undefined : { codeSha256: sha, codeSize: 1, unzippedSize: sizes[sha], dir: `/nowhere/${sha}` },
  };
  return { code };
}

const layer = (sha: string): LayerRef => ({ arn: `arn:aws:lambda:us-east-1:000000000000:layer:${sha}:1`, codeSha256: sha, codeSize: 1 });

describe("the combined unzipped size of a function and its layers", () => {
  it("may be 262144000 bytes exactly", () => {
    const deps = depsWith({ fn: 62_144_000, a: 100 * MB, b: 100 * MB });
    expect(() => checkCombinedSize(deps, "fn", [layer("a"), layer("b")])).not.toThrow();
  });

  it("is refused one byte beyond, with Lambda's message and the actual size", () => {
    const deps = depsWith({ fn: 62_144_001, a: 100 * MB, b: 100 * MB });
    let caught: unknown;
    try {
      checkCombinedSize(deps, "fn", [layer("a"), layer("b")]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LambdaError);
    expect(caught).toMatchObject({
      code: "InvalidParameterValueException",
      message:
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 262144001 bytes.",
    });
  });

  it("is not checked for a function without layers (its own package was checked when unpacked)", () => {
    expect(() => checkCombinedSize(depsWith({}), "fn", [])).not.toThrow();
  });
});
