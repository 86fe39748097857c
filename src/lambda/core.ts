/** The Lambda core as the surfaces above it (the API, the doors, the boxes that invoke) are handed it. */
import type { CodeStore, Registry } from "../registry/types.js";
import type { EnvironmentSettings } from "./environment.js";
import type { Invoker } from "./invoker.js";

export interface LambdaCore extends EnvironmentSettings {
  registry: Registry;
  code: CodeStore;
  invoker: Invoker;
}
