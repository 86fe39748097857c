import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ends, findCycle, folderEdges, partOf } from "./import-graph.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

/** Modules below everything, parts of their own: they import only each other. */
const LEAVES = ["lambda/errors", "lambda/arn", "config/error", "config/json-file"];

/** The target order of imports, top first: a part imports only from its own layer or below. */
const LAYERS: string[][] = [
  ["cli"],
  ["server"],
  // config assembles the doors' schemas into the file the CLI reads.
  ["config"],
  ["api", "doors", "sqs"],
  ["async", "sources", "functions"],
  ["lambda"],
  ["pool", "registry", "observe"],
  ["sandbox"],
  // The JSON body reader the Lambda and SQS APIs share, and the service interface, import nothing.
  ["wasm", "http", "service", ...LEAVES],
];

/**
 * Today's imports against that order, each with why it is still there. The list only shrinks: an
 * entry whose import is gone fails the test until it is removed.
 */
const ALLOWED: Record<string, string> = {};

const edges = folderEdges(SRC, LEAVES);
const layerOf = new Map(LAYERS.flatMap((parts, layer) => parts.map((part) => [part, layer] as const)));
const upward = [...edges.keys()].filter((edge) => {
  const [from, to] = ends(edge);
  return (layerOf.get(to) ?? 0) < (layerOf.get(from) ?? 0);
});

describe("import graph between the top-level parts of src/", () => {
  it("places every part in a layer", () => {
    const parts = new Set([...edges.keys()].flatMap(ends));
    expect([...parts].filter((part) => !layerOf.has(part))).toEqual([]);
  });

  it("imports upward only where listed", () => {
    const unlisted = upward.filter((edge) => !(edge in ALLOWED));
    expect(Object.fromEntries(unlisted.map((edge) => [edge, edges.get(edge)]))).toEqual({});
  });

  it("has no cycle once the listed imports are set aside", () => {
    expect(findCycle([...edges.keys()].filter((edge) => !(edge in ALLOWED)))).toBeUndefined();
  });

  it("lists only imports that still exist", () => {
    expect(Object.keys(ALLOWED).filter((edge) => !edges.has(edge))).toEqual([]);
  });

  it("keeps the leaves importing only each other", () => {
    const out = [...edges.keys()].filter((edge) => LEAVES.includes(ends(edge)[0]) && !LEAVES.includes(ends(edge)[1]));
    expect(out).toEqual([]);
  });

  it("keeps every part below the API from importing api/ or doors/, but for the listed", () => {
    const below = [...edges.keys()].filter((edge) => {
      const [from, to] = ends(edge);
      return (to === "api" || to === "doors") && (layerOf.get(from) ?? 0) > (layerOf.get("api") ?? 0);
    });
    expect(below.filter((edge) => !(edge in ALLOWED))).toEqual([]);
  });
});

describe("the graph reader", () => {
  it("names root files and folders as parts", () => {
    const parts = ["server.ts", "cli.ts", "wasm.d.ts", "api/auth/index.ts", "lambda/errors.js", "lambda/invoke.ts"];
    expect(parts.map((file) => partOf(file, LEAVES))).toEqual(["server", "cli", "wasm", "api", "lambda/errors", "lambda"]);
  });

  it("finds a cycle, and none in a chain", () => {
    expect(findCycle(["a -> b", "b -> c", "c -> a", "c -> d"])).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(["a -> b", "b -> c", "a -> c"])).toBeUndefined();
  });

  it("counts a type-only import as an edge", () => {
    // server.ts takes only the DoorConfig type from config/.
    expect(edges.get("server -> config")).toEqual(["server.ts: ./config/index.js"]);
  });
});
