/** What every door works with: the Lambda core (invoker, registry, region, account) and Invoke's registry cache. */
import type { LambdaCore } from "../../lambda/core.js";
import type { RegistryCache } from "../../lambda/registry-cache.js";

export interface DoorDeps {
  core: LambdaCore;
  /** Shared with the Lambda API, which clears it on every control-plane change. */
  cache: RegistryCache;
  /** Address the door listeners bind to. */
  host: string;
  /** Receives one line per request a door could not serve normally, saying why. */
  log: (line: string) => void;
}
