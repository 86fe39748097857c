import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

describe("uuid inside the sandbox", () => {
  it("makes random v4 ids from crypto and the v5 and v3 ids of uuid's published vectors", async () => {
    await deployPackaged(api, "compat-uuid", {
      packages: ["uuid"],
      files: {
        "index.mjs": `
          import { v3, v4, v5, v7, validate, version, parse, stringify } from "uuid";
          export const handler = async () => {
            const randoms = Array.from({ length: 50 }, () => v4());
            return {
              v4: randoms[0],
              v4Versions: [...new Set(randoms.map(version))],
              v4Distinct: new Set(randoms).size,
              v5: v5("hello.example.com", v5.DNS),
              v5Custom: v5("Hello, World!", "1b671a64-40d5-491e-99b0-da01ff1f3341"),
              v3: v3("hello.example.com", v3.DNS),
              v7Version: version(v7()),
              valid: [validate(randoms[0]), validate("not-a-uuid")],
              roundTrip: stringify(parse("630eb68f-e0fa-5ecc-887a-7c7a62614681")),
            };
          };`,
      },
    });
    const out = (await invokeOk(api, "compat-uuid", {})) as Record<string, unknown>;
    expect(out.v4).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.v4Versions).toEqual([4]);
    expect(out.v4Distinct).toBe(50);
    expect(out.v5).toBe("fdda765f-fc57-5604-a269-52a7df8164ec");
    expect(out.v5Custom).toBe("630eb68f-e0fa-5ecc-887a-7c7a62614681");
    expect(out.v3).toBe("9125a8dc-52ee-365b-a5aa-81b0b3681cf6");
    expect(out.v7Version).toBe(7);
    expect(out.valid).toEqual([true, false]);
    expect(out.roundTrip).toBe("630eb68f-e0fa-5ecc-887a-7c7a62614681");
  });

  it("loads into a CommonJS handler by require() (Node 20.19+ and 22.12+ allow it) and by import(), as uuid 12+ ships only ES modules", async () => {
    const handler = `
      const { v5, validate } = require("uuid");
      exports.handler = async () => {
        const imported = await import("uuid");
        return [v5("hello.example.com", v5.DNS), validate("x"), imported.v5 === v5];
      };`;
    for (const runtime of ["nodejs20.x", "nodejs22.x"] as const) {
      const name = `compat-uuid-cjs-${runtime.replace(".", "-")}`;
      await deployPackaged(api, name, { packages: ["uuid"], runtime, files: { "index.js": handler } });
      expect(await invokeOk(api, name, {})).toEqual(["fdda765f-fc57-5604-a269-52a7df8164ec", false, true]);
    }
  });
});
