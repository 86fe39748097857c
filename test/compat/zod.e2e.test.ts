import { describe, expect, it } from "vitest";
import * as z from "zod";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

/** The schema as source for the handlers, and evaluated here with the host's zod (the same version) to compare. */
const SCHEMA = `
  const Order = z.object({
    id: z.string().uuid(),
    quantity: z.number().int().positive(),
    email: z.string().email(),
    tags: z.array(z.string()).default([]),
    placedAt: z.coerce.date(),
  });`;
const Order = new Function("z", `${SCHEMA}; return Order;`)(z) as z.ZodType;

const ESM_HANDLER = `
  import * as z from "zod";
  ${SCHEMA}
  export const handler = async (event) => z.treeifyError(Order.safeParse(event.bad).error);`;

describe("zod inside the sandbox", () => {
  it("parses a valid event and reports a failing parse's issues, from CommonJS and from an ES module", async () => {
    await deployPackaged(api, "compat-zod", {
      packages: ["zod"],
      files: {
        "index.js": `
          const { z } = require("zod");
          ${SCHEMA}
          exports.handler = async (event) => {
            const ok = Order.parse(event.good);
            const bad = Order.safeParse(event.bad);
            return {
              ok: { ...ok, placedAt: ok.placedAt.toISOString() },
              success: bad.success,
              issues: bad.error.issues.map((i) => ({ path: i.path, code: i.code })),
              thrown: (() => { try { Order.parse(event.bad); return "no"; } catch (e) { return e.name + ":" + e.issues.length; } })(),
            };
          };`,
      },
    });
    const event = {
      good: { id: "630eb68f-e0fa-5ecc-887a-7c7a62614681", quantity: 3, email: "a@example.com", placedAt: "2024-01-02T03:04:05Z" },
      bad: { id: "nope", quantity: 1.5, email: "a@example.com", tags: [1], placedAt: "2024-01-02" },
    };
    const out = (await invokeOk(api, "compat-zod", event)) as Record<string, unknown>;
    expect(out.ok).toEqual({ ...event.good, tags: [], placedAt: "2024-01-02T03:04:05.000Z" });
    expect(out.success).toBe(false);
    expect(out.issues).toEqual([
      { path: ["id"], code: "invalid_format" },
      { path: ["quantity"], code: "invalid_type" },
      { path: ["tags", 0], code: "invalid_type" },
    ]);
    expect(out.thrown).toBe("ZodError:3");

    // The same schema as an ES module importing zod's namespace: its error tree is the host's, message for message.
    await deployPackaged(api, "compat-zod-esm", { packages: ["zod"], handler: "esm.handler", files: { "esm.mjs": ESM_HANDLER } });
    const tree = await invokeOk(api, "compat-zod-esm", event);
    const expected = z.treeifyError(Order.safeParse(event.bad).error as z.ZodError);
    expect(tree).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(Object.keys((tree as { properties: object }).properties)).toEqual(["id", "quantity", "tags"]);
  });
});
