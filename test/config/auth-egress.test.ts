import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";

describe("isolambda.config.json: auth and egress", () => {
  it("leaves auth off and adds no egress rule by default", () => {
    expect(parseConfig({})).toMatchObject({ auth: { mode: "none", credentials: [] }, egress: { deny: [], allow: [] } });
  });

  it("takes SigV4 keys, and egress rules as CIDR strings or with ports", () => {
    const config = parseConfig({
      auth: { mode: "sigv4", credentials: [{ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" }] },
      egress: { deny: ["10.0.0.0/8", { cidr: "127.0.0.1", ports: [6379] }], allow: ["169.254.169.254"] },
    });
    expect(config.auth).toEqual({ mode: "sigv4", credentials: [{ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" }] });
    expect(config.egress).toEqual({
      deny: [{ cidr: "10.0.0.0/8" }, { cidr: "127.0.0.1", ports: [6379] }],
      allow: [{ cidr: "169.254.169.254" }],
    });
  });

  it("names each bad field", () => {
    const message = (raw: unknown) => {
      try {
        parseConfig(raw, "c.json");
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(message({ auth: { mode: "iam" } })).toMatch(/^c\.json: auth\.mode: Invalid option: expected one of "none"\|"sigv4"/);
    expect(message({ auth: { mode: "sigv4", credentials: [{ accessKeyId: "A" }] } })).toContain("auth.credentials.0.secretAccessKey:");
    expect(message({ auth: { keys: [] } })).toContain("auth: Unrecognized key");
    expect(message({ egress: { deny: ["example.com"] } })).toBe("c.json: egress.deny.0: 'example.com' is not an IP address or CIDR range");
    expect(message({ egress: { allow: [{ cidr: "::1/129" }] } })).toBe(
      "c.json: egress.allow.0: '::1/129' has a prefix length out of range",
    );
    expect(message({ egress: { deny: [{ cidr: "127.0.0.1", ports: [70000] }] } })).toContain("egress.deny.0.ports.0:");
  });
});
