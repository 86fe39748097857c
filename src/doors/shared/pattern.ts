/** ELB and CloudFront patterns: `*` matches any run of characters (none included), `?` exactly one. */
export function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s");
}

/** `*` alone matches everything; skip the regex for it. */
export function matcher(patterns: string[], caseInsensitive: boolean): ((value: string) => boolean) | undefined {
  if (patterns.includes("*")) return undefined;
  const regexes = patterns.map((p) => wildcard(p, caseInsensitive));
  return (value) => regexes.some((r) => r.test(value));
}
