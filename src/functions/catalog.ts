/**
 * The functions the server knows, deployed from function folders. This in-memory catalog stands in
 * for the registry (SQLite, versions, aliases), which replaces it behind the same lookups.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { EnvironmentConfig } from "../sandbox/index.js";
import type { FunctionFolder } from "./folder.js";

export interface DeployedFunction {
  name: string;
  config: EnvironmentConfig;
}

/** A cheap fingerprint of a folder's code: paths, sizes and modification times. */
function fingerprint(dir: string): string {
  const hash = createHash("sha256");
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const stat = statSync(full);
        hash.update(`${path.relative(dir, full)}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}

export class FunctionCatalog {
  readonly #functions = new Map<string, DeployedFunction>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  deploy(folder: FunctionFolder): DeployedFunction {
    const { settings } = folder;
    const deployed: DeployedFunction = {
      name: folder.name,
      config: {
        functionName: folder.name,
        functionVersion: "$LATEST",
        versionKey: `${folder.name}:$LATEST:${fingerprint(folder.codeDir)}:${JSON.stringify(settings)}`,
        handler: settings.handler,
        runtime: settings.runtime,
        memorySizeMB: settings.memorySize,
        timeoutSeconds: settings.timeout,
        codeDir: folder.codeDir,
        environment: settings.environment,
        region: this.region,
        accountId: this.accountId,
      },
    };
    this.#functions.set(folder.name, deployed);
    return deployed;
  }

  get(name: string): DeployedFunction | undefined {
    return this.#functions.get(name);
  }

  list(): DeployedFunction[] {
    return [...this.#functions.values()];
  }

  arn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
  }
}
