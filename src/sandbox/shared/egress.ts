/**
 * Where a handler's outbound requests may go. On a cloud host, link-local addresses are the
 * instance metadata service (169.254.169.254, fd00:ec2::254) and its credentials: refused by default,
 * with more ranges (and ports) refused or allowed by the config. The check is made on the address a
 * connection is actually opened to, after resolving the name, in the connector of the undici Agent
 * the host's fetch goes through: a name that resolves to a refused address is refused, and a
 * redirect is checked like the request it follows.
 *
 * The same Agent marks which function is calling isolambda's own API: a request to the API's port
 * carries the function's caller stamp (CALLER_HEADER), set here and not by the guest, so the API
 * applies the function's restrictions even to an unsigned request; a request that would reach the
 * API's port on this machine without the stamp (a redirect, a name rebound to 127.0.0.1) is refused.
 */
import { type LookupAddress, lookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { networkInterfaces } from "node:os";
import { Agent, buildConnector } from "undici";
import { onPoolThread } from "./pool-threads.js";

/** A range (CIDR or one address), optionally only some of its ports. */
export interface EgressRule {
  cidr: string;
  ports?: number[];
}

export interface EgressRules {
  /** Refused in addition to the built-in link-local and metadata ranges. */
  deny: EgressRule[];
  /** Exceptions to every refusal, the built-in ones included. */
  allow: EgressRule[];
}

/** What an environment's fetch is told: the rules, and how to reach isolambda's API as its function. */
export interface EgressSettings {
  rules: EgressRules;
  api?: { port: number; caller: string };
}

/** The request header that names the calling function to isolambda's API. */
export const CALLER_HEADER = "x-isolambda-caller";

/** Link-local ranges, which hold the cloud metadata services, and AWS's IPv6 metadata address. */
export const BUILT_IN_DENY: readonly EgressRule[] = [{ cidr: "169.254.0.0/16" }, { cidr: "fe80::/10" }, { cidr: "fd00:ec2::254/128" }];

const DEFAULT_SETTINGS: EgressSettings = { rules: { deny: [], allow: [] } };

interface CompiledRule {
  list: BlockList;
  ports: ReadonlySet<number> | undefined;
}

/** Parses `10.0.0.0/8`, `fe80::/10` or a single address; throws on anything else. */
export function compileRule(rule: EgressRule): CompiledRule {
  const [address = "", prefix] = rule.cidr.split("/");
  const family = isIP(address);
  if (family === 0) throw new Error(`'${rule.cidr}' is not an IP address or CIDR range`);
  const type = family === 4 ? "ipv4" : "ipv6";
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128) || prefix === "") {
    throw new Error(`'${rule.cidr}' has a prefix length out of range`);
  }
  const list = new BlockList();
  list.addSubnet(address, bits, type);
  return { list, ports: rule.ports === undefined ? undefined : new Set(rule.ports) };
}

/** IPv4-mapped IPv6 (::ffff:169.254.169.254) is the IPv4 address it maps. */
function normalized(address: string): { address: string; type: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return { address: mapped[1] as string, type: "ipv4" };
  return { address, type: isIP(address) === 4 ? "ipv4" : "ipv6" };
}

const matches = (rules: CompiledRule[], address: string, type: "ipv4" | "ipv6", port: number) =>
  rules.some((r) => (r.ports === undefined || r.ports.has(port)) && r.list.check(address, type));

/** This machine's own addresses, where isolambda's API may listen. */
function isLocal(address: string, type: "ipv4" | "ipv6"): boolean {
  if (address === "0.0.0.0" || address === "::" || (type === "ipv4" && address.startsWith("127.")) || address === "::1") return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}

class EgressPolicy {
  readonly #deny: CompiledRule[];
  readonly #allow: CompiledRule[];
  /** Connections for requests that carry the caller stamp, and for all others. */
  readonly stamped: Agent;
  readonly plain: Agent;

  constructor(settings: EgressSettings) {
    this.#deny = [...BUILT_IN_DENY, ...settings.rules.deny].map(compileRule);
    this.#allow = settings.rules.allow.map(compileRule);
    this.stamped = new Agent({ connect: this.#connector(undefined) });
    this.plain = new Agent({ connect: this.#connector(settings.api?.port) });
  }

  /** Why a connection to `address:port` is refused, or undefined; `apiPort` when the request carries no caller stamp. */
  refusal(raw: string, port: number, apiPort?: number): string | undefined {
    const { address, type } = normalized(raw);
    if (apiPort === port && isLocal(address, type)) return "isolambda's API is reached at AWS_ENDPOINT_URL";
    if (matches(this.#deny, address, type, port) && !matches(this.#allow, address, type, port))
      return "refused by isolambda's egress rules";
    return undefined;
  }

  /**
   * Connects as undici would, with a `lookup` that leaves out refused addresses (Node then tries
   * the others, IPv6 and IPv4, as usual); an address in the URL is checked as it is.
   */
  #connector(apiPort: number | undefined): buildConnector.connector {
    const direct = buildConnector({});
    return (options, callback) => {
      const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
      const hostname = options.hostname.replace(/^\[|\]$/g, "");
      const refused = (address: string, why: string) =>
        Object.assign(new Error(`connect EACCES ${address}:${port} (${why})`), { code: "EACCES" });
      if (isIP(hostname) !== 0) {
        const why = this.refusal(hostname, port, apiPort);
        if (why === undefined) direct(options, callback);
        else callback(refused(hostname, why), null);
        return;
      }
      // getaddrinfo runs on Node's thread pool, the server's too: a lookup takes a guests' place first.
      const checked: LookupFunction = (name, lookupOptions, done) =>
        onPoolThread((release) =>
          lookup(name, { ...lookupOptions, all: true }, (error, addresses) => {
            release();
            if (error !== null) return done(error, "", 0);
            const allowed = addresses.filter((a) => this.refusal(a.address, port, apiPort) === undefined);
            const first = allowed[0];
            if (first === undefined) {
              const address = addresses[0]?.address ?? name;
              return done(refused(address, this.refusal(address, port, apiPort) ?? ""), "", 0);
            }
            if (lookupOptions.all === true) (done as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
            else done(null, first.address, first.family);
          }),
        );
      buildConnector({ lookup: checked })(options, callback);
    };
  }
}

/** One policy per distinct settings in this thread: its Agents keep connections alive across invocations. */
const policies = new Map<string, EgressPolicy>();
/** The policy of each settings object asked for already: an environment asks with its own at every request. */
const bySettings = new WeakMap<EgressSettings, EgressPolicy>();

export function egressPolicy(settings: EgressSettings = DEFAULT_SETTINGS): EgressPolicy {
  let policy = bySettings.get(settings);
  if (policy !== undefined) return policy;
  const key = JSON.stringify([settings.rules, settings.api?.port]);
  policy = policies.get(key);
  if (policy === undefined) {
    policy = new EgressPolicy(settings);
    policies.set(key, policy);
  }
  bySettings.set(settings, policy);
  return policy;
}
