import { describe, expect, it } from "vitest";
import { routeAlias } from "../../src/lambda/resolve.js";
import type { Alias } from "../../src/registry/types.js";

const alias = (weights: Record<string, number>): Alias => ({
  functionName: "f",
  name: "live",
  functionVersion: "1",
  description: "",
  additionalVersionWeights: weights,
  revisionId: "r",
});

describe("alias routing", () => {
  it("sends a draw below the weight to the additional version and the rest to the primary", () => {
    expect(routeAlias(alias({ "2": 0.25 }), 0)).toBe("2");
    expect(routeAlias(alias({ "2": 0.25 }), 0.2499)).toBe("2");
    expect(routeAlias(alias({ "2": 0.25 }), 0.25)).toBe("1");
    expect(routeAlias(alias({ "2": 0.25 }), 0.99)).toBe("1");
  });

  it("always picks the primary without weights or with weight 0, and the additional one at weight 1", () => {
    expect(routeAlias(alias({}), 0)).toBe("1");
    expect(routeAlias(alias({ "2": 0 }), 0)).toBe("1");
    expect(routeAlias(alias({ "2": 1 }), 0.999)).toBe("2");
  });
});
