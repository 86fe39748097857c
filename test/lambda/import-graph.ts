/**
 * The import graph between the top-level parts of src/: a folder (`api/x.ts` is `api`) or a root
 * file (`server.ts` is `server`; `cli.ts` joins the `cli` folder it fronts). A module named as a leaf
 * (`lambda/errors`) is a part of its own, so a folder's leaf can sit below the folder itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
// vitest's own vite carries oxc's parser; TypeScript 7 has no JS API to read imports with.
import { parseSync } from "vite";

/** `from -> to`, with the imports that make it, as `file: specifier`. */
export type FolderEdges = Map<string, string[]>;

export function partOf(relativeToSrc: string, leaves: readonly string[] = []): string {
  const bare = relativeToSrc.replace(/\.(d\.)?[cm]?[jt]s$/, "");
  if (leaves.includes(bare)) return bare;
  return bare.split(path.sep)[0] ?? "";
}

export function folderEdges(srcDir: string, leaves: readonly string[] = []): FolderEdges {
  const edges: FolderEdges = new Map();
  const files = readdirSync(srcDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    const from = partOf(file, leaves);
    const text = readFileSync(path.join(srcDir, file), "utf8");
    for (const fileName of specifiers(file, text)) {
      if (!fileName.startsWith(".")) continue;
      const target = path.relative(srcDir, path.resolve(srcDir, path.dirname(file), fileName));
      if (target.startsWith("..")) continue;
      const to = partOf(target, leaves);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${file}: ${fileName}`]);
    }
  }
  return edges;
}

export function ends(edge: string): [from: string, to: string] {
  const [from = "", to = ""] = edge.split(" -> ");
  return [from, to];
}

/** Every module a file names: `import type`, `export ... from`, side-effect and literal dynamic imports. */
function specifiers(file: string, text: string): string[] {
  const { module } = parseSync(file, text);
  return [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) => e.entries.flatMap((entry) => (entry.moduleRequest ? [entry.moduleRequest.value] : []))),
    ...module.dynamicImports.flatMap(({ moduleRequest }) => {
      const literal = /^(["'`])(.*)\1$/.exec(text.slice(moduleRequest.start, moduleRequest.end));
      return literal?.[2] === undefined ? [] : [literal[2]];
    }),
  ];
}

/** One cycle in the graph as the parts along it (first repeated last), or undefined when there is none. */
export function findCycle(edges: Iterable<string>): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [from, to] = ends(edge);
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const done = new Set<string>();
  const trail: string[] = [];
  const visit = (part: string): string[] | undefined => {
    const at = trail.indexOf(part);
    if (at >= 0) return [...trail.slice(at), part];
    if (done.has(part)) return undefined;
    trail.push(part);
    for (const to of next.get(part) ?? []) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    trail.pop();
    done.add(part);
    return undefined;
  };
  for (const part of [...next.keys()].sort()) {
    const cycle = visit(part);
    if (cycle) return cycle;
  }
  return undefined;
}
