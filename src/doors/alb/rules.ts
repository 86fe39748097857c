/**
 * ELB listener rules: evaluated in priority order (lowest first); a rule applies when every one of
 * its conditions matches, and a condition matches when any of its values does. Path patterns are
 * case-sensitive; host names, header values and query strings are not.
 */
import { matcher } from "../shared/pattern.js";
import type { DoorRequest } from "../shared/request.js";
import type { AlbRuleConfig } from "./config.js";

export interface CompiledRule<T> {
  priority: number;
  matches(req: DoorRequest): boolean;
  action: T;
}

type Test = (req: DoorRequest) => boolean;

/** The Host header's name part: a listener on a non-standard port receives `host:port`. */
function hostName(req: DoorRequest): string {
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if ((raw[i] as string).toLowerCase() !== "host") continue;
    const host = raw[i + 1] as string;
    const colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(":");
    return colon > 0 ? host.slice(0, colon) : host;
  }
  return "";
}

export function compileRule<T>(rule: AlbRuleConfig, action: T): CompiledRule<T> {
  const tests: Test[] = [];
  const path = matcher(rule.path, false);
  if (path) tests.push((req) => path(req.path));
  const host = matcher(rule.host, true);
  if (host) tests.push((req) => host(hostName(req)));
  if (rule.methods) {
    const methods = new Set(rule.methods);
    tests.push((req) => methods.has(req.method));
  }
  for (const [name, values] of Object.entries(rule.headers ?? {})) {
    const lower = name.toLowerCase();
    const value = matcher(values, true) ?? (() => true);
    tests.push((req) => {
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lower && value(raw[i + 1] as string)) return true;
      return false;
    });
  }
  if (rule.query) {
    const pairs = rule.query.map((q) => ({
      key: q.key === undefined ? undefined : matcher([q.key], true),
      value: matcher([q.value], true),
    }));
    tests.push((req) => {
      for (const part of req.query.split("&")) {
        if (part === "") continue;
        const eq = part.indexOf("=");
        const key = eq === -1 ? part : part.slice(0, eq);
        const value = eq === -1 ? "" : part.slice(eq + 1);
        // A pair without key matches the value of any key.
        for (const p of pairs) if ((p.key === undefined || p.key(key)) && (p.value === undefined || p.value(value))) return true;
      }
      return false;
    });
  }
  return {
    priority: rule.priority,
    action,
    matches: (req) => {
      for (const test of tests) if (!test(req)) return false;
      return true;
    },
  };
}

/** The action of the first rule, by priority, that matches. */
export function route<T>(rules: CompiledRule<T>[], req: DoorRequest): T | undefined {
  for (const rule of rules) if (rule.matches(req)) return rule.action;
  return undefined;
}

export function sortRules<T>(rules: CompiledRule<T>[]): CompiledRule<T>[] {
  return [...rules].sort((a, b) => a.priority - b.priority);
}
