/**
 * JSON files a person edits (isolambda.config.json, function.json): errors name the line. A syntax
 * error comes as file:line:column; a schema error as file:line: path, the line being where the bad
 * value (or its nearest enclosing object, for a missing key) sits. jsonc-parser gives the offsets.
 */
import { findNodeAtLocation, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import type { z } from "zod";

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export interface JsonFile {
  value: unknown;
  /** "file:line" of the value at `path`, or of its nearest ancestor present in the file. */
  where(path: ReadonlyArray<PropertyKey>): string;
}

/** Parses `text` strictly (no comments, no trailing commas); a syntax error throws `fail(message)`. */
export function parseJsonFile(file: string, text: string, fail: (message: string) => Error): JsonFile {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined || tree === undefined) {
    const { line, column } = position(text, first?.offset ?? 0);
    throw fail(`${file}:${line}:${column}: not valid JSON (${first ? printParseErrorCode(first.error) : "empty file"})`);
  }
  return {
    value: JSON.parse(text),
    where(path) {
      const keys = path.filter((key): key is string | number => typeof key !== "symbol");
      for (let n = keys.length; n >= 0; n--) {
        const node = findNodeAtLocation(tree, keys.slice(0, n));
        if (node === undefined) continue;
        // A property's line is its key's.
        const offset = node.parent?.type === "property" ? node.parent.offset : node.offset;
        return `${file}:${position(text, offset).line}`;
      }
      return file;
    },
  };
}

/** Zod's issues as one message per line, each with the file and line of the bad field. */
export function describeIssues(json: JsonFile, issues: z.core.$ZodIssue[]): string {
  const line = (path: PropertyKey[], message: string) =>
    `${json.where(path)}: ${path.length > 0 ? path.map(String).join(".") : "(root)"}: ${message}`;
  return issues
    .flatMap((i) =>
      i.code === "unrecognized_keys" ? i.keys.map((key) => line([...i.path, key], "unknown field")) : [line(i.path, i.message)],
    )
    .join("\n");
}
