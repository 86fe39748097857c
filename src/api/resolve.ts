/**
 * Qualifiers as Invoke and the read operations accept them: a version ($LATEST or a number) or an
 * alias, whose RoutingConfig sends a share of invocations to a second version.
 */
import type { Alias, FunctionVersion } from "../registry/types.js";
import { type ApiDeps, functionArn } from "./deps.js";
import { AwsError } from "./errors.js";
import type { FunctionRef } from "./function-name.js";
import type { Lookup } from "./registry-cache.js";

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

/** Resolves through `lookup`: the registry, or Invoke's cache of it. */
export function resolveFunction(deps: ApiDeps, ref: FunctionRef, route = false, lookup: Lookup = deps.registry): Resolved {
  const notFound = () => new AwsError("ResourceNotFoundException", `Function not found: ${functionArn(deps, ref.name, ref.qualifier)}`);
  if (ref.qualifier === undefined || VERSION.test(ref.qualifier)) {
    const version = lookup.getVersion(ref.name, ref.qualifier);
    if (version === undefined) throw notFound();
    return { version };
  }
  const alias = lookup.getAlias(ref.name, ref.qualifier);
  if (alias === undefined) throw notFound();
  const version = lookup.getVersion(ref.name, route ? routeAlias(alias) : alias.functionVersion);
  if (version === undefined) throw notFound();
  return { version, alias };
}
