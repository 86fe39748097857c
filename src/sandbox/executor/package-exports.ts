/**
 * Node's package.json `exports` and `imports` resolution (PACKAGE_EXPORTS_RESOLVE and
 * PACKAGE_IMPORTS_RESOLVE in Node's ESM resolution algorithm, which CommonJS follows too): subpath
 * keys ("./aws-lambda"), patterns with one `*` ("./jwt/*"), condition objects tried in their own key
 * order, arrays as fallbacks, and `null` for a subpath the package refuses to expose. Real packages
 * (hono/aws-lambda, @middy/core, Powertools' ./http, jose's ./jwt/*) are reachable only this way.
 */

/** What a mapping gives: a "./"-relative target, `null` (exists but is not exported), or nothing. */
export type MappedTarget = string | null | undefined;

/** The conditions Node's resolver matches: `require` or `import`, then `node`, then `default`. */
export function conditionsFor(mode: "require" | "import"): ReadonlySet<string> {
  return new Set([mode, "node", "default"]);
}

/** A target object's keys are conditions when none of them starts with "." (Node rejects a mix). */
function isConditionMap(value: Record<string, unknown>): boolean {
  return !Object.keys(value).some((key) => key.startsWith("."));
}

/** PACKAGE_TARGET_RESOLVE: `*` in a string target is replaced by what the pattern matched. */
function resolveTarget(
  target: unknown,
  patternMatch: string | undefined,
  conditions: ReadonlySet<string>,
  internal: boolean,
): MappedTarget {
  if (typeof target === "string") {
    // Only package-relative targets are valid in `exports`; `imports` may also name another package.
    if (!target.startsWith("./") && !(internal && !target.startsWith("../") && !target.startsWith("/"))) return undefined;
    return patternMatch === undefined ? target : target.replaceAll("*", patternMatch);
  }
  if (Array.isArray(target)) {
    let sawNull = false;
    for (const alternative of target) {
      const resolved = resolveTarget(alternative, patternMatch, conditions, internal);
      if (typeof resolved === "string") return resolved;
      if (resolved === null) sawNull = true;
    }
    return sawNull ? null : undefined;
  }
  if (target === null) return null;
  if (typeof target !== "object") return undefined;
  for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
    if (!conditions.has(condition)) continue;
    const resolved = resolveTarget(value, patternMatch, conditions, internal);
    // A condition whose target resolves to nothing lets the next one be tried, as in Node.
    if (resolved !== undefined) return resolved;
  }
  return undefined;
}

/** PATTERN_KEY_COMPARE: the longest prefix before `*` wins, then the longer key. */
function morePrecise(a: string, b: string): boolean {
  const aBase = a.indexOf("*");
  const bBase = b.indexOf("*");
  if (aBase !== bBase) return aBase > bBase;
  return a.length > b.length;
}

/** PACKAGE_IMPORTS_EXPORTS_RESOLVE: an exact key first, then the most precise `*` pattern. */
function resolveInMap(key: string, map: Record<string, unknown>, conditions: ReadonlySet<string>, internal: boolean): MappedTarget {
  if (Object.hasOwn(map, key) && !key.includes("*")) return resolveTarget(map[key], undefined, conditions, internal);
  let best: string | undefined;
  let match = "";
  for (const candidate of Object.keys(map)) {
    const star = candidate.indexOf("*");
    if (star === -1 || candidate.indexOf("*", star + 1) !== -1) continue;
    const prefix = candidate.slice(0, star);
    const suffix = candidate.slice(star + 1);
    if (key.length < candidate.length || !key.startsWith(prefix) || !key.endsWith(suffix)) continue;
    if (best === undefined || morePrecise(candidate, best)) {
      best = candidate;
      match = key.slice(prefix.length, key.length - suffix.length);
    }
  }
  return best === undefined ? undefined : resolveTarget(map[best], match, conditions, internal);
}

/**
 * The target of `subpath` ("." or "./x") in a package's `exports`, relative to the package folder.
 * A string, an array or a condition object stands for the "." entry alone.
 */
export function resolveExports(exportsField: unknown, subpath: string, conditions: ReadonlySet<string>): MappedTarget {
  const isMainSugar =
    typeof exportsField === "string" ||
    Array.isArray(exportsField) ||
    (typeof exportsField === "object" && exportsField !== null && isConditionMap(exportsField as Record<string, unknown>));
  if (isMainSugar) return subpath === "." ? resolveTarget(exportsField, undefined, conditions, false) : undefined;
  if (typeof exportsField !== "object" || exportsField === null) return undefined;
  return resolveInMap(subpath, exportsField as Record<string, unknown>, conditions, false);
}

/** The target of a `#name` specifier in a package's `imports`: "./file" in the package, or a bare specifier. */
export function resolveImports(importsField: unknown, specifier: string, conditions: ReadonlySet<string>): MappedTarget {
  if (typeof importsField !== "object" || importsField === null || Array.isArray(importsField)) return undefined;
  return resolveInMap(specifier, importsField as Record<string, unknown>, conditions, true);
}
