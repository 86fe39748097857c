/** Node's `exports` and `imports` resolution, as real packages use it (hono, jose, @middy/core, axios). */
import { describe, expect, it } from "vitest";
import { conditionsFor, resolveExports, resolveImports } from "../../src/sandbox/executor/package-exports.js";

const requireConditions = conditionsFor("require");
const importConditions = conditionsFor("import");

describe("package.json exports", () => {
  it("maps subpaths, taking conditions in the package's own key order", () => {
    const exportsField = {
      ".": { types: "./index.d.ts", import: "./dist/index.js", require: "./dist/cjs/index.js" },
      "./aws-lambda": {
        types: "./a.d.ts",
        import: "./dist/adapter/aws-lambda/index.js",
        require: "./dist/cjs/adapter/aws-lambda/index.js",
      },
      "./package.json": "./package.json",
    };
    expect(resolveExports(exportsField, ".", importConditions)).toBe("./dist/index.js");
    expect(resolveExports(exportsField, ".", requireConditions)).toBe("./dist/cjs/index.js");
    expect(resolveExports(exportsField, "./aws-lambda", requireConditions)).toBe("./dist/cjs/adapter/aws-lambda/index.js");
    expect(resolveExports(exportsField, "./package.json", importConditions)).toBe("./package.json");
    expect(resolveExports(exportsField, "./dist/index.js", importConditions)).toBeUndefined();
    // `default` before `node`: the first matching key wins, as in Node.
    expect(resolveExports({ default: "./browser.js", node: "./node.js" }, ".", requireConditions)).toBe("./browser.js");
    // Nested conditions (axios): `browser` is not ours, `default` then picks by require/import.
    const axios = { ".": { browser: { require: "./b.cjs" }, default: { require: "./dist/node/axios.cjs", default: "./index.js" } } };
    expect(resolveExports(axios, ".", requireConditions)).toBe("./dist/node/axios.cjs");
    expect(resolveExports(axios, ".", importConditions)).toBe("./index.js");
  });

  it("treats a string, an array or a bare condition object as the main entry alone", () => {
    expect(resolveExports("./main.js", ".", requireConditions)).toBe("./main.js");
    expect(resolveExports("./main.js", "./other", requireConditions)).toBeUndefined();
    expect(resolveExports({ import: "./m.mjs", require: "./c.cjs" }, ".", requireConditions)).toBe("./c.cjs");
    expect(resolveExports(["./first.js", "./second.js"], ".", requireConditions)).toBe("./first.js");
    expect(resolveExports([{ worker: "./w.js" }, "./fallback.js"], ".", requireConditions)).toBe("./fallback.js");
  });

  it("expands the most precise `*` pattern, and null hides a subpath", () => {
    const exportsField = {
      "./jwt/*": { import: "./dist/jwt/*.js", require: "./dist/cjs/jwt/*.cjs" },
      "./jwt/internal/*": null,
      "./locales/*": "./locales/*/index.js",
      "./*": "./all/*.js",
    };
    expect(resolveExports(exportsField, "./jwt/sign", importConditions)).toBe("./dist/jwt/sign.js");
    expect(resolveExports(exportsField, "./jwt/sign", requireConditions)).toBe("./dist/cjs/jwt/sign.cjs");
    expect(resolveExports(exportsField, "./jwt/internal/x", importConditions)).toBeNull();
    expect(resolveExports(exportsField, "./locales/fr", importConditions)).toBe("./locales/fr/index.js");
    expect(resolveExports(exportsField, "./misc/a", importConditions)).toBe("./all/misc/a.js");
  });

  it("refuses targets outside the package", () => {
    expect(resolveExports({ ".": "../elsewhere.js" }, ".", requireConditions)).toBeUndefined();
    expect(resolveExports({ ".": "other-package" }, ".", requireConditions)).toBeUndefined();
  });
});

describe("package.json imports", () => {
  it("maps #specifiers to package files or to other packages, with conditions and patterns", () => {
    const importsField = {
      "#dep": { node: "dep-node-native", default: "./dep-polyfill.js" },
      "#internal/*": "./src/internal/*.js",
      "#private": null,
    };
    expect(resolveImports(importsField, "#dep", requireConditions)).toBe("dep-node-native");
    expect(resolveImports(importsField, "#internal/util", importConditions)).toBe("./src/internal/util.js");
    expect(resolveImports(importsField, "#private", importConditions)).toBeNull();
    expect(resolveImports(importsField, "#unknown", importConditions)).toBeUndefined();
    expect(resolveImports(undefined, "#dep", importConditions)).toBeUndefined();
  });
});
