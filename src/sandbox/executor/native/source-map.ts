/**
 * Source maps for stack traces, as Node applies them under `--enable-source-maps` (Lambda's
 * switch, set in NODE_OPTIONS): each frame's position in a package file is replaced by the
 * original source's, read from the map the file names in its `//# sourceMappingURL=` comment (a
 * file beside it, or an inline data: URL). Parsed maps are kept for the environment's life.
 */
import path from "node:path";
import type { QuickJSContext } from "quickjs-emscripten-core";
import { SourceMapConsumer } from "source-map-js";
import { esmPrelude } from "../esm-loader.js";
import type { HostImplementation } from "../guest-host.js";
import type { PackageFiles } from "../package-files.js";

const FRAME_LOCATION = /^( {4}at (?:.*? \()?)(\/[^()]*?):(\d+):(\d+)(\)?)$/gm;
const MAPPING_URL = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;
const INLINE = /^data:application\/json;(?:charset=[^;,]+;)?base64,(.*)$/;
/** What src/sandbox/guest/modules.ts puts before a CommonJS file's first line (and esm-loader.ts before an ES module's): QuickJS's columns there count it. */
const CJS_WRAPPER = "(function (exports, require, module, __filename, __dirname) {";

interface LoadedMap {
  consumer: SourceMapConsumer;
  /** Columns QuickJS counts on line 1 before the file's own text. */
  firstLineShift: number;
  /** Where the map's relative source paths start from. */
  dir: string;
}

/** The map's text and the directory its sources are relative to. */
function mapOf(source: string, file: string, files: PackageFiles): { text: string; dir: string } | undefined {
  const url = MAPPING_URL.exec(source.slice(-4096))?.[1];
  if (url === undefined) return undefined;
  const dir = path.posix.dirname(file);
  const inline = INLINE.exec(url);
  if (inline !== null) return { text: Buffer.from(inline[1] ?? "", "base64").toString("utf8"), dir };
  if (/^[a-z]+:/i.test(url)) return undefined;
  const mapFile = path.posix.resolve(dir, decodeURIComponent(url));
  const text = files.read(mapFile);
  return text === undefined ? undefined : { text, dir: path.posix.dirname(mapFile) };
}

function firstLineShift(files: PackageFiles, file: string, source: string): number {
  const shebang = source.startsWith("#!") ? 2 : 0;
  return (files.formatOf(file) === "esm" ? esmPrelude(file).length : CJS_WRAPPER.length) + shebang;
}

export function sourceMapFunctions(ctx: QuickJSContext, files: () => PackageFiles) {
  const maps = new Map<string, LoadedMap | null>();

  const load = (file: string): LoadedMap | null => {
    let loaded = maps.get(file);
    if (loaded !== undefined) return loaded;
    loaded = null;
    try {
      const packageFiles = files();
      const source = packageFiles.read(file);
      const map = source === undefined ? undefined : mapOf(source, file, packageFiles);
      if (source !== undefined && map !== undefined) {
        const consumer = new SourceMapConsumer(JSON.parse(map.text));
        loaded = { consumer, firstLineShift: firstLineShift(packageFiles, file, source), dir: map.dir };
      }
    } catch {
      // A map that cannot be read or parsed leaves the trace as it is, as Node does.
    }
    maps.set(file, loaded);
    return loaded;
  };

  const mapStack = (text: string): string =>
    text.replace(FRAME_LOCATION, (frame, before: string, file: string, lineText: string, columnText: string, after: string) => {
      const map = load(file);
      if (map === null) return frame;
      const line = Number(lineText);
      // QuickJS's columns count from 1, source-map's from 0.
      const column = Number(columnText) - 1 - (line === 1 ? map.firstLineShift : 0);
      const original = map.consumer.originalPositionFor({ line, column: Math.max(0, column) });
      if (original.source === null || original.line === null) return frame;
      const source = original.source.startsWith("/") ? original.source : path.posix.resolve(map.dir, original.source);
      return `${before}${source}:${original.line}:${(original.column ?? 0) + 1}${after}`;
    });

  return {
    mapStack: (text) => ctx.newString(mapStack(text === undefined ? "" : ctx.getString(text))),
    // A syntax error on a file's first line: the columns the loader put before the file's own text.
    firstLineShift: (file) => {
      const name = file === undefined ? "" : ctx.getString(file);
      const source = files().read(name);
      return ctx.newNumber(source === undefined ? 0 : firstLineShift(files(), name, source));
    },
  } satisfies Partial<HostImplementation>;
}
