/**
 * Stack frames as Node prints them. A frame on a file's first line counts there what the loader
 * put before the file's own text (the CommonJS wrapper, an ES module's import.meta prelude); Node's
 * columns are the file's own. Under `--enable-source-maps` (Lambda's switch, set in NODE_OPTIONS)
 * each frame's position in a package file is replaced by the original source's, read from the map
 * the file names in its `//# sourceMappingURL=` comment (a file beside it, or an inline data: URL),
 * and its name by the map's name at the caller's call, as Node does. Parsed maps are kept for the
 * environment's life.
 */
import path from "node:path";
import type { QuickJSContext } from "quickjs-emscripten-core";
import { SourceMapConsumer } from "source-map-js";
import { esmPrelude } from "../esm-loader.js";
import type { HostImplementation } from "../guest-host.js";
import type { PackageFiles } from "../package-files.js";

const FRAME = /^ {4}at (?:(.*?) \()?(\/[^()]*?):(\d+):(\d+)\)?$/;
const MAPPING_URL = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;
const INLINE = /^data:application\/json;(?:charset=[^;,]+;)?base64,(.*)$/;
/** What src/sandbox/guest/modules.ts puts before a CommonJS file's first line (and esm-loader.ts before an ES module's): QuickJS's columns there count it. */
const CJS_WRAPPER = "(function (exports, require, module, __filename, __dirname) {";

interface LoadedMap {
  consumer: SourceMapConsumer;
  /** Where the map's relative source paths start from. */
  dir: string;
}

/** One frame of a stack, its column counted in the file's own text. */
interface Frame {
  name: string | undefined;
  file: string;
  line: number;
  column: number;
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
  const shifts = new Map<string, number>();

  const shiftOf = (file: string): number => {
    let shift = shifts.get(file);
    if (shift === undefined) {
      const packageFiles = files();
      const source = packageFiles.read(file);
      shift = source === undefined ? 0 : firstLineShift(packageFiles, file, source);
      shifts.set(file, shift);
    }
    return shift;
  };

  const load = (file: string): LoadedMap | null => {
    let loaded = maps.get(file);
    if (loaded !== undefined) return loaded;
    loaded = null;
    try {
      const packageFiles = files();
      const source = packageFiles.read(file);
      const map = source === undefined ? undefined : mapOf(source, file, packageFiles);
      if (map !== undefined) loaded = { consumer: new SourceMapConsumer(JSON.parse(map.text)), dir: map.dir };
    } catch {
      // A map that cannot be read or parsed leaves the trace as it is, as Node does.
    }
    maps.set(file, loaded);
    return loaded;
  };

  const frameOf = (text: string): Frame | undefined => {
    const match = FRAME.exec(text);
    if (match === null) return undefined;
    const file = match[2] as string;
    const line = Number(match[3]);
    const column = Number(match[4]);
    // Before the file's own text is the loader's (the ES module facade over a CommonJS file bears its name): its first column.
    return { name: match[1], file, line, column: line === 1 ? Math.max(1, column - shiftOf(file)) : column };
  };

  const write = ({ name, file, line, column }: Frame) =>
    `    at ${name === undefined ? "" : `${name} (`}${file}:${line}:${column}${name === undefined ? "" : ")"}`;

  /** `frame` in the original source, or undefined when the map says nothing of it. */
  const original = (frame: Frame, caller: Frame | undefined): string | undefined => {
    const map = load(frame.file);
    if (map === null) return undefined;
    // QuickJS's columns count from 1, source-map's from 0.
    const at = map.consumer.originalPositionFor({ line: frame.line, column: frame.column - 1 });
    if (at.source === null || at.line === null) return undefined;
    const source = at.source.startsWith("/") ? at.source : path.posix.resolve(map.dir, at.source);
    // Node names the frame by the map's name at its caller's call (a minifier renamed it), when the caller is in the same file.
    let name = frame.name ?? "<anonymous>";
    if (caller !== undefined && caller.file === frame.file) {
      const call = map.consumer.originalPositionFor({ line: caller.line, column: caller.column - 1 });
      if (call.name) name = call.name;
    }
    return `    at ${name} (${source}:${at.line}:${(at.column ?? 0) + 1})`;
  };

  /** The frames of `text` with first-line columns counted in the files' own text, in the original sources when `sourceMaps`. */
  const mapStack = (text: string, sourceMaps: boolean): string => {
    const lines = text.split("\n");
    const parsed = lines.map(frameOf);
    return lines
      .map((line, index) => {
        const frame = parsed[index];
        if (frame === undefined) return line;
        return (sourceMaps ? original(frame, parsed[index + 1]) : undefined) ?? (frame.line === 1 ? write(frame) : line);
      })
      .join("\n");
  };

  return {
    mapStack: (text, sourceMaps) =>
      ctx.newString(mapStack(text === undefined ? "" : ctx.getString(text), sourceMaps !== undefined && ctx.dump(sourceMaps) === true)),
    // A syntax error on a file's first line: the columns the loader put before the file's own text.
    firstLineShift: (file) => ctx.newNumber(shiftOf(file === undefined ? "" : ctx.getString(file))),
  } satisfies Partial<HostImplementation>;
}
