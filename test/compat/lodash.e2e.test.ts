import { describe, expect, it } from "vitest";
import { useServer } from "../api/server.js";
import { deployPackaged, invokeOk } from "./deploy.js";

const api = useServer();

describe("lodash inside the sandbox", () => {
  it("runs the whole build and a per-method module from CommonJS", async () => {
    await deployPackaged(api, "compat-lodash", {
      packages: ["lodash"],
      files: {
        "index.js": `
          const _ = require("lodash");
          const chunk = require("lodash/chunk");
          exports.handler = async (event) => ({
            version: _.VERSION,
            grouped: _.groupBy(event.people, "team"),
            sorted: _.map(_.sortBy(event.people, ["age", "name"]), "name"),
            merged: _.merge({ a: { b: 1, c: [1] } }, { a: { d: 2, c: [undefined, 2] } }),
            picked: _.pick(event.people[0], ["name"]),
            chunks: chunk([1, 2, 3, 4, 5], 2),
            template: _.template("hello <%= user %>!")({ user: "lambda" }),
            camel: _.camelCase("--foo-bar--"),
            debounceIsFunction: typeof _.debounce(() => {}, 10),
            cloneIsDeep: (() => { const o = { n: { m: 1 } }; const c = _.cloneDeep(o); c.n.m = 2; return o.n.m; })(),
            chained: _.chain([3, 1, 2]).sortBy().map((n) => n * 10).value(),
          });`,
      },
    });
    const people = [
      { name: "ann", age: 31, team: "red" },
      { name: "bob", age: 25, team: "blue" },
      { name: "cid", age: 25, team: "red" },
    ];
    const out = (await invokeOk(api, "compat-lodash", { people })) as Record<string, unknown>;
    expect(out.version).toBe("4.18.1");
    expect(out.grouped).toEqual({ red: [people[0], people[2]], blue: [people[1]] });
    expect(out.sorted).toEqual(["bob", "cid", "ann"]);
    expect(out.merged).toEqual({ a: { b: 1, c: [1, 2], d: 2 } });
    expect(out.picked).toEqual({ name: "ann" });
    expect(out.chunks).toEqual([[1, 2], [3, 4], [5]]);
    expect(out.template).toBe("hello lambda!");
    expect(out.camel).toBe("fooBar");
    expect(out.debounceIsFunction).toBe("function");
    expect(out.cloneIsDeep).toBe(1);
    expect(out.chained).toEqual([10, 20, 30]);
  });
});
