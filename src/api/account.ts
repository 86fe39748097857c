/** GetAccountSettings: Lambda's account limits and what this server uses of them. */
import type { Hono } from "hono";
import type { ApiDeps } from "./deps.js";
import { ZIP_UPLOAD_MAX_BYTES } from "./validate.js";

/** Lambda: a function and its layers unzipped may take 250 MB. */
const CODE_SIZE_UNZIPPED_MAX = 262_144_000;

export function mountAccount(app: Hono, deps: ApiDeps): void {
  const settings = () => {
    let functionCount = 0;
    let marker: string | undefined;
    do {
      const page = deps.registry.listFunctions({ marker, maxItems: 1000 });
      functionCount += page.items.length;
      marker = page.nextMarker;
    } while (marker !== undefined);
    return {
      AccountLimit: {
        TotalCodeSize: deps.codeStorageLimitBytes,
        CodeSizeUnzipped: CODE_SIZE_UNZIPPED_MAX,
        CodeSizeZipped: ZIP_UPLOAD_MAX_BYTES,
        ConcurrentExecutions: deps.invoker.gate.limits.accountConcurrency,
        UnreservedConcurrentExecutions: deps.invoker.gate.unreservedConcurrency,
      },
      AccountUsage: { TotalCodeSize: deps.registry.codeStorageBytes(), FunctionCount: functionCount },
    };
  };
  app.get("/2016-08-19/account-settings", (c) => c.json(settings()));
  app.get("/2016-08-19/account-settings/", (c) => c.json(settings()));
}
