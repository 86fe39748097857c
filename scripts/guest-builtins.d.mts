// Types of guest-builtins.mjs for the TypeScript that imports it (bench/guest-runtime.ts).
import type { BuildOptions, Plugin } from "esbuild";

export const GUEST_BUNDLE: BuildOptions;
export function guestBuiltins(file: string): Plugin;
