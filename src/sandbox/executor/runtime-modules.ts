/**
 * Lambda's preinstalled AWS SDK v3, as the handler sees it at /var/runtime/node_modules: the
 * client packages isolambda ships and their dependency closure, each mapped to its directory in
 * isolambda's own node_modules — nothing else of the host is reachable by that path. A copy in the
 * function's package or a layer wins, since NODE_PATH is searched last.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RUNTIME_MODULES = "/var/runtime/node_modules";
/**
 * Lambda's Node.js runtimes ship the whole v3 SDK (every client and lib-*); isolambda serves the
 * packages handlers import most, each a root dependency at the release line of the others, so that
 * they share one @aws-sdk/core and one @smithy/core (the copy runtime-patches.ts speeds up).
 */
const PREINSTALLED = [
  "@aws-sdk/client-lambda",
  "@aws-sdk/client-sqs",
  "@aws-sdk/client-s3",
  "@aws-sdk/s3-request-presigner",
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/lib-dynamodb",
  "@aws-sdk/client-ssm",
  "@aws-sdk/client-secrets-manager",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-eventbridge",
  "@aws-sdk/client-sts",
  "@aws-sdk/client-kinesis",
  "@aws-sdk/client-sesv2",
  "@aws-sdk/client-cloudwatch",
  "@aws-sdk/client-cognito-identity-provider",
];

/** isolambda's own node_modules, from dist/sandbox/executor (or src/sandbox/executor in development). */
const HOST_MODULES = fileURLToPath(new URL("../../../node_modules", import.meta.url));

function manifest(dir: string): { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as ReturnType<typeof manifest>;
  } catch {
    return undefined;
  }
}

/** Where Node finds `name` from `fromDir`: the nearest node_modules above it that has it. */
function locate(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (path.basename(dir) !== "node_modules" && fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

let cached: ReadonlyMap<string, string> | undefined;

/** Package name → real host directory, for the packages hoisted to isolambda's node_modules. */
export function runtimeModules(): ReadonlyMap<string, string> {
  if (cached !== undefined) return cached;
  const top = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (dir: string, name: string) => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    // Nested copies live inside their parent's directory, reachable through it; hoisted ones get a root.
    if (path.dirname(dir) === HOST_MODULES || path.dirname(path.dirname(dir)) === HOST_MODULES) top.set(name, real);
    const m = manifest(dir);
    for (const dep of Object.keys({ ...m?.dependencies, ...m?.optionalDependencies })) {
      const found = locate(dir, dep);
      if (found !== undefined) visit(found, dep);
    }
  };
  for (const name of PREINSTALLED) {
    const dir = path.join(HOST_MODULES, name);
    if (fs.existsSync(path.join(dir, "package.json"))) visit(dir, name);
  }
  cached = top;
  return top;
}
