/**
 * Qualifiers as Invoke and the read operations accept them: a version ($LATEST or a number) or an
 * alias, whose RoutingConfig sends a share of invocations to a second version.
 */

import type { Alias, FunctionVersion, Registry } from "../registry/types.js";
import { type Account, type FunctionRef, functionArn } from "./arn.js";
import { LambdaError } from "./errors.js";

/** What resolving reads: the registry, or Invoke's cache of it. */
export type Lookup = Pick<Registry, "getVersion" | "getAlias">;

const VERSION = /^(\$LATEST|\d+)$/;

export interface Resolved {
  version: FunctionVersion;
  alias?: Alias;
}

/** The version an alias sends this invocation to: the weighted one with its probability, else the primary. */
export function routeAlias(alias: Alias, random: number = Math.random()): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights)) {
    threshold += weight;
    if (random < threshold) return version;
  }
  return alias.functionVersion;
}

/** The version a reference names (an alias routed when `route`), or undefined when there is none. */
export function resolve(lookup: Lookup, ref: FunctionRef, route = false): Resolved | undefined {
  if (ref.qualifier === undefined || VERSION.test(ref.qualifier)) {
    const version = lookup.getVersion(ref.name, ref.qualifier);
    return version === undefined ? undefined : { version };
  }
  const alias = lookup.getAlias(ref.name, ref.qualifier);
  if (alias === undefined) return undefined;
  const version = lookup.getVersion(ref.name, route ? routeAlias(alias) : alias.functionVersion);
  return version === undefined ? undefined : { version, alias };
}

export function functionNotFoundMessage(at: Account, ref: FunctionRef): string {
  return `Function not found: ${functionArn(at, ref.name, ref.qualifier)}`;
}

/** As resolve, for the API: a missing function is Lambda's ResourceNotFoundException. */
export function resolveFunction(
  at: Account & { registry: Lookup },
  ref: FunctionRef,
  route = false,
  lookup: Lookup = at.registry,
): Resolved {
  const resolved = resolve(lookup, ref, route);
  if (resolved === undefined) throw new LambdaError("ResourceNotFoundException", functionNotFoundMessage(at, ref));
  return resolved;
}
