import { describe, expect } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";

const api = useServer();

/** One order event, valid, and one breaking several rules, for every validator. */
const EVENT = {
  good: { id: "630eb68f-e0fa-5ecc-887a-7c7a62614681", quantity: 3, email: "a@example.com", placedAt: "2024-01-02T03:04:05Z" },
  bad: { id: "nope", quantity: 1.5, email: "not-an-email", tags: [1] },
};

const CASES: CorpusCase[] = [
  {
    name: "corpus-ajv",
    packages: ["ajv"],
    event: EVENT,
    files: {
      "index.js": `
        const Ajv = require("ajv");
        const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true });
        ajv.addFormat("email", /^[^@\\s]+@[^@\\s]+$/);
        const validate = ajv.compile({
          type: "object",
          required: ["id", "quantity", "email"],
          properties: {
            id: { type: "string", pattern: "^[0-9a-f-]{36}$" },
            quantity: { type: "integer", minimum: 1 },
            email: { type: "string", format: "email" },
            tags: { type: "array", items: { type: "string" }, default: [] },
            placedAt: { type: "string" },
          },
          additionalProperties: false,
        });
        exports.handler = async (event) => {
          const good = { ...event.good };
          const ok = validate(good);
          const failed = validate(event.bad);
          return { ok, good, failed, errors: validate.errors.map((e) => [e.instancePath, e.keyword, e.message]), text: ajv.errorsText(validate.errors) };
        };`,
    },
    check: (out) => {
      expect(out.ok).toBe(true);
      expect(out.good.tags).toEqual([]);
      expect(out.failed).toBe(false);
      expect(out.errors).toContainEqual(["/quantity", "type", "must be integer"]);
      expect(out.errors).toContainEqual(["/tags/0", "type", "must be string"]);
      expect(out.errors).toContainEqual(["/email", "format", 'must match format "email"']);
    },
  },
  {
    name: "corpus-joi",
    packages: ["joi"],
    event: EVENT,
    files: {
      "index.js": `
        const Joi = require("joi");
        const Order = Joi.object({
          id: Joi.string().guid({ version: "uuidv5" }).required(),
          quantity: Joi.number().integer().positive().required(),
          email: Joi.string().email({ tlds: { allow: false } }).required(),
          tags: Joi.array().items(Joi.string()).default([]),
          placedAt: Joi.date().iso(),
        });
        exports.handler = async (event) => {
          const good = Order.validate(event.good);
          const bad = Order.validate(event.bad, { abortEarly: false });
          let thrown;
          try { Joi.attempt(event.bad, Order); } catch (e) { thrown = { name: e.name, isJoi: e.isJoi, message: e.message }; }
          return {
            good: { ...good.value, placedAt: good.value.placedAt.toISOString() },
            goodError: good.error ?? null,
            details: bad.error.details.map((d) => ({ path: d.path, type: d.type, message: d.message })),
            thrown,
          };
        };`,
    },
    check: (out) => {
      expect(out.good).toEqual({ ...EVENT.good, tags: [], placedAt: "2024-01-02T03:04:05.000Z" });
      expect(out.goodError).toBeNull();
      expect(out.details.map((d: { type: string }) => d.type)).toEqual(["string.guid", "number.integer", "string.email", "string.base"]);
      expect(out.thrown).toEqual({ name: "ValidationError", isJoi: true, message: '"id" must be a valid GUID' });
    },
  },
  {
    name: "corpus-yup",
    packages: ["yup"],
    event: EVENT,
    files: {
      "index.mjs": `
        import * as yup from "yup";
        const Order = yup.object({
          id: yup.string().uuid().required(),
          quantity: yup.number().integer().positive().required(),
          email: yup.string().email().required(),
          tags: yup.array(yup.string().strict()).default([]),
          placedAt: yup.date(),
        });
        export const handler = async (event) => {
          const good = await Order.validate(event.good);
          let bad;
          try { await Order.validate(event.bad, { abortEarly: false }); } catch (e) {
            bad = { name: e.name, errors: e.errors, paths: e.inner.map((i) => i.path) };
          }
          return { good: { ...good, placedAt: good.placedAt.toISOString() }, valid: Order.isValidSync(event.bad), bad, cast: Order.cast({ ...event.good, quantity: "7" }).quantity };
        };`,
    },
    check: (out) => {
      expect(out.good).toEqual({ ...EVENT.good, tags: [], placedAt: "2024-01-02T03:04:05.000Z" });
      expect(out.valid).toBe(false);
      expect(out.bad.name).toBe("ValidationError");
      expect(out.bad.paths).toEqual(["id", "quantity", "email"]);
      expect(out.bad.errors).toContain("email must be a valid email");
      expect(out.cast).toBe(7);
    },
  },
  {
    name: "corpus-validator",
    packages: ["validator"],
    event: { inputs: ["a@example.com", "not-an-email", "192.168.0.1", "https://example.com/x?y=1", "<b>hi</b> & 'you'"] },
    files: {
      "index.js": `
        const validator = require("validator");
        exports.handler = async (event) => event.inputs.map((s) => ({
          email: validator.isEmail(s),
          ip: validator.isIP(s, 4),
          url: validator.isURL(s, { require_protocol: true }),
          escaped: validator.escape(s),
          normalized: validator.isEmail(s) ? validator.normalizeEmail(s.toUpperCase()) : null,
          uuid: validator.isUUID("630eb68f-e0fa-5ecc-887a-7c7a62614681"),
        }));`,
    },
    check: (out) => {
      expect(out.map((r: { email: boolean }) => r.email)).toEqual([true, false, false, false, false]);
      expect(out[2].ip).toBe(true);
      expect(out[3].url).toBe(true);
      expect(out[4].escaped).toBe("&lt;b&gt;hi&lt;&#x2F;b&gt; &amp; &#x27;you&#x27;");
      expect(out[0].normalized).toBe("a@example.com");
    },
  },
];

describe("validation libraries inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
});
