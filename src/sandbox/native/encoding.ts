import type { QuickJSContext } from "quickjs-emscripten-core";
import type { HostFunction } from "../guest-host.js";

export function encodingFunctions(_ctx: QuickJSContext): Record<string, HostFunction> {
  return {};
}
