// Builds the example components from their sources with npm packages only:
//   hello-wat: hand-written core module → jco's wasm-tools (parse, embed the world, new component)
//   hello-js:  JavaScript → componentize-js (SpiderMonkey; no AOT, which would download weval)
// `npm run build:wasm-examples` writes the components (OUTPUTS below; the tests deploy those files).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The handler world every isolambda component implements. */
export const HANDLER_WIT = path.join(here, "wit", "handler.wit");

/** A component from a core module in WAT that implements `world` of the WIT file. */
export async function buildWat(watFile: string, { witFile = HANDLER_WIT, world = "handler" } = {}): Promise<Uint8Array> {
  const core = await parse(await readFile(watFile, "utf8"));
  const embedded = await componentEmbed({ binary: core, witSource: await readFile(witFile, "utf8"), world, stringEncoding: "utf8" });
  return componentNew(embedded);
}

/** The part of componentize-js used here: it comes from wasm/package.json, which the root install and its type check leave out. */
interface ComponentizeJs {
  componentize(options: { sourcePath: string; witPath: string; worldName: string; disableFeatures: string[] }): Promise<{
    component: Uint8Array;
  }>;
}

/** A component from an ES module implementing the handler world (needs wasm/node_modules: scripts/install-side.mjs wasm). */
export async function buildJs(jsFile: string): Promise<Uint8Array> {
  const builder = "@bytecodealliance/componentize-js";
  const { componentize } = (await import(builder)) as ComponentizeJs;
  const { component } = await componentize({
    sourcePath: jsFile,
    // componentize-js reads the WIT through its WASI shim, which sees the working directory only.
    witPath: path.relative(process.cwd(), HANDLER_WIT),
    worldName: "handler",
    // Functions reach the network through isolambda's doors, not from inside: no wasi:http.
    disableFeatures: ["http", "fetch-event"],
  });
  return component;
}

export const EXAMPLES: Record<string, () => Promise<Uint8Array>> = {
  "hello-wat": () => buildWat(path.join(here, "examples/hello-wat/hello.wat")),
  "hello-js": () => buildJs(path.join(here, "examples/hello-js/hello.js")),
};

/** Where each example's component goes: next to its source, and the WAT one also into `npm start`'s functions. */
const OUTPUTS: Record<string, string[]> = {
  "hello-wat": ["examples/hello-wat/hello.wasm", "../functions/hello-wasm/hello.wasm"],
  "hello-js": ["examples/hello-js/hello.wasm"],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, build] of Object.entries(EXAMPLES)) {
    const started = performance.now();
    const bytes = await build();
    for (const out of OUTPUTS[name] ?? []) await writeFile(path.join(here, out), bytes);
    console.log(`${name}: ${bytes.length} bytes in ${Math.round(performance.now() - started)} ms`);
  }
}
