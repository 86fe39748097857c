/**
 * `isolambda serve`: one process with the sandbox's executor workers, the function catalog and
 * the Lambda API on one port. Deploys every folder under --functions at start.
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApi } from "./api/index.js";
import { FunctionCatalog } from "./functions/catalog.js";
import { readFunctionFolders } from "./functions/folder.js";
import { WarmPool } from "./pool/index.js";
import { Sandbox } from "./sandbox/index.js";

export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  functionsDir?: string;
  region?: string;
  accountId?: string;
  executors?: number;
  /** Where each invocation's log (START … REPORT) goes; default: nowhere. */
  onLog?: (functionName: string, log: string) => void;
}

export interface RunningServer {
  url: string;
  catalog: FunctionCatalog;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const catalog = new FunctionCatalog(options.region ?? "us-east-1", options.accountId ?? "000000000000");
  if (options.functionsDir !== undefined) {
    for (const folder of readFunctionFolders(options.functionsDir)) catalog.deploy(folder);
  }
  const sandbox = await Sandbox.start({ executors: options.executors });
  const pool = new WarmPool(sandbox);
  const app = createApi({ catalog, pool, onLog: options.onLog });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    catalog,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
      await sandbox.close();
    },
  };
}
