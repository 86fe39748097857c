import type { QuickJSContext } from "quickjs-emscripten-core";
import type { HostFunction } from "../guest-host.js";

export function hashFunctions(_ctx: QuickJSContext): Record<string, HostFunction> {
  return {};
}
