/** TypeScript handlers bundled by esbuild as a function's package would be, for the source-map tests. */
import { buildSync } from "esbuild";

/**
 * `source` (src/handler.ts) bundled to index.js, CommonJS for Node, with its source map beside it
 * (index.js.map) or inline, optionally minified.
 */
export function bundleTypeScript(source: string, sourcemap: "external" | "inline", minify: boolean): Record<string, string> {
  const out = buildSync({
    stdin: { contents: source, loader: "ts", sourcefile: "src/handler.ts", resolveDir: "/pkg" },
    absWorkingDir: "/pkg",
    bundle: true,
    format: "cjs",
    platform: "node",
    sourcemap,
    minify,
    write: false,
    outfile: "/pkg/index.js",
  }).outputFiles;
  const files: Record<string, string> = {};
  for (const file of out) files[file.path.endsWith(".map") ? "index.js.map" : "index.js"] = file.text;
  // esbuild leaves the comment out when it writes nothing itself; a bundler writing files puts it last.
  if (sourcemap === "external") files["index.js"] += "//# sourceMappingURL=index.js.map\n";
  return files;
}
