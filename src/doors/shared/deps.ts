/** What every door works with: the Lambda API's deps (invoker, registry, region, account) and Invoke's registry cache. */
import type { ApiDeps } from "../../api/deps.js";
import type { RegistryCache } from "../../api/registry-cache.js";

export interface DoorDeps {
  api: ApiDeps;
  /** Shared with the Lambda API, which clears it on every control-plane change. */
  cache: RegistryCache;
  /** Address the door listeners bind to. */
  host: string;
  /** Receives one line per request a door could not serve normally, saying why. */
  log: (line: string) => void;
}
