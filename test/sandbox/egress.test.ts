/**
 * The egress policy's answers, address by address: no connection is opened here (the link-local
 * and metadata addresses are only ever asked about, never reached).
 */
import { describe, expect, it } from "vitest";
import { compileRule, egressPolicy } from "../../src/sandbox/shared/egress.js";

describe("the egress policy", () => {
  it("refuses link-local and metadata addresses by default, IPv4-mapped forms included", () => {
    const policy = egressPolicy();
    for (const address of ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254"]) {
      expect(policy.refusal(address, 80)).toBe("refused by isolambda's egress rules");
    }
    for (const address of ["127.0.0.1", "::1", "93.184.216.34", "fd00:ec2::253"]) expect(policy.refusal(address, 80)).toBeUndefined();
  });

  it("refuses more ranges, or only some of their ports, and lets allow rules carve exceptions", () => {
    const policy = egressPolicy({
      rules: {
        deny: [{ cidr: "10.0.0.0/8" }, { cidr: "127.0.0.1", ports: [6379] }],
        allow: [{ cidr: "169.254.169.254/32" }, { cidr: "10.1.2.3" }],
      },
    });
    expect(policy.refusal("10.9.9.9", 443)).toBeDefined();
    expect(policy.refusal("10.1.2.3", 443)).toBeUndefined();
    expect(policy.refusal("127.0.0.1", 6379)).toBeDefined();
    expect(policy.refusal("127.0.0.1", 6380)).toBeUndefined();
    expect(policy.refusal("169.254.169.254", 80)).toBeUndefined();
    expect(policy.refusal("169.254.170.2", 80)).toBeDefined();
  });

  it("refuses this machine's API port to a request without the caller stamp", () => {
    const policy = egressPolicy({ rules: { deny: [], allow: [] }, api: { port: 9000, caller: "stamp" } });
    expect(policy.refusal("127.0.0.1", 9000, 9000)).toBe("isolambda's API is reached at AWS_ENDPOINT_URL");
    expect(policy.refusal("127.0.0.1", 9000)).toBeUndefined();
    expect(policy.refusal("127.0.0.1", 9001, 9000)).toBeUndefined();
  });

  it("names what is wrong with a bad rule", () => {
    expect(() => compileRule({ cidr: "example.com" })).toThrow("'example.com' is not an IP address or CIDR range");
    expect(() => compileRule({ cidr: "10.0.0.0/33" })).toThrow("'10.0.0.0/33' has a prefix length out of range");
    expect(() => compileRule({ cidr: "10.0.0.0/" })).toThrow("prefix length out of range");
  });
});
