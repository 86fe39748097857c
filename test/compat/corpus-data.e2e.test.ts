import { describe, expect } from "vitest";
import { useServer } from "../api/server.js";
import { type CorpusCase, corpusTests } from "./corpus.js";

const api = useServer();

const CSV = 'id,name,price,tags\n1,Widget,9.99,"a;b"\n2,"Gadget, large",19.5,\n3,"Say ""hi""",0,c\n';
const XML = `<?xml version="1.0"?><order id="42" xmlns:x="urn:x"><item sku="A1" qty="2">Widget</item><item sku="B2" qty="1">Gadget &amp; co</item><note><![CDATA[<fragile>]]></note></order>`;

const CASES: CorpusCase[] = [
  {
    name: "corpus-ramda",
    packages: ["ramda"],
    event: {
      orders: [
        { id: 1, total: 30, region: "eu" },
        { id: 2, total: 5, region: "us" },
        { id: 3, total: 12, region: "eu" },
      ],
    },
    files: {
      "index.js": `
        const R = require("ramda");
        const summary = R.pipe(R.filter(R.propSatisfies(R.lt(10), "total")), R.groupBy(R.prop("region")), R.map(R.pipe(R.pluck("total"), R.sum)));
        exports.handler = async (event) => ({
          summary: summary(event.orders),
          sorted: R.sortWith([R.descend(R.prop("total"))], event.orders).map(R.prop("id")),
          lens: R.over(R.lensPath(["a", "b"]), R.inc, { a: { b: 1 } }),
          curried: R.map(R.add(3))([1, 2]),
          merged: R.mergeDeepRight({ a: { x: 1, y: 2 } }, { a: { y: 3 } }),
          equals: R.equals({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
        });`,
    },
    check: (out) => {
      expect(out.summary).toEqual({ eu: 42 });
      expect(out.sorted).toEqual([1, 3, 2]);
      expect(out.lens).toEqual({ a: { b: 2 } });
      expect(out.merged).toEqual({ a: { x: 1, y: 3 } });
      expect(out.equals).toBe(true);
    },
  },
  {
    name: "corpus-nanoid",
    packages: ["nanoid"],
    compareWithNode: false,
    event: {},
    files: {
      "index.mjs": `
        import { nanoid, customAlphabet } from "nanoid";
        export const handler = async () => {
          const ids = Array.from({ length: 200 }, () => nanoid());
          const hex = customAlphabet("0123456789abcdef", 12);
          return { ids, short: nanoid(8), hex: hex() };
        };`,
    },
    check: (out) => {
      expect(out.ids.every((id: string) => /^[A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
      expect(new Set(out.ids).size).toBe(200);
      expect(out.short).toMatch(/^[A-Za-z0-9_-]{8}$/);
      expect(out.hex).toMatch(/^[0-9a-f]{12}$/);
    },
  },
  {
    name: "corpus-csv-parse",
    packages: ["csv-parse"],
    event: { csv: CSV },
    files: {
      "index.mjs": `
        import { parse } from "csv-parse";
        import { parse as parseSync } from "csv-parse/sync";
        export const handler = async (event) => {
          const records = parseSync(event.csv, { columns: true, cast: true, skip_empty_lines: true });
          // The streaming parser, fed in two chunks through node:stream.
          const streamed = [];
          const parser = parse({ from_line: 2 });
          parser.on("readable", () => { for (let r; (r = parser.read()) !== null; ) streamed.push(r); });
          const done = new Promise((resolve, reject) => { parser.on("end", resolve); parser.on("error", reject); });
          parser.write(event.csv.slice(0, 30));
          parser.end(event.csv.slice(30));
          await done;
          let error;
          try { parseSync('a,b\\n1,"2\\n'); } catch (e) { error = e.code; }
          return { records, streamed, error };
        };`,
    },
    check: (out) => {
      expect(out.records).toEqual([
        { id: 1, name: "Widget", price: 9.99, tags: "a;b" },
        { id: 2, name: "Gadget, large", price: 19.5, tags: "" },
        { id: 3, name: 'Say "hi"', price: 0, tags: "c" },
      ]);
      expect(out.streamed).toHaveLength(3);
      expect(out.error).toBe("CSV_QUOTE_NOT_CLOSED");
    },
  },
  {
    name: "corpus-xml2js",
    packages: ["xml2js"],
    event: { xml: XML },
    files: {
      "index.js": `
        const xml2js = require("xml2js");
        exports.handler = async (event) => {
          const parsed = await xml2js.parseStringPromise(event.xml, { explicitArray: false });
          const built = new xml2js.Builder({ headless: true, renderOpts: { pretty: false } }).buildObject({ reply: { $: { ok: "true" }, count: 2, text: "a < b" } });
          const viaCallback = await new Promise((resolve, reject) => xml2js.parseString("<a><b>1</b><b>2</b></a>", (e, r) => (e ? reject(e) : resolve(r))));
          let error;
          try { await xml2js.parseStringPromise("<a><b></a>"); } catch (e) { error = e.message.split("\\n")[0]; }
          return { parsed, built, viaCallback, error };
        };`,
    },
    check: (out) => {
      expect(out.parsed.order.$.id).toBe("42");
      expect(out.parsed.order.item[1]).toEqual({ _: "Gadget & co", $: { sku: "B2", qty: "1" } });
      expect(out.parsed.order.note).toBe("<fragile>");
      expect(out.built).toBe('<reply ok="true"><count>2</count><text>a &lt; b</text></reply>');
      expect(out.viaCallback).toEqual({ a: { b: ["1", "2"] } });
      expect(out.error).toMatch(/^Unexpected close tag/);
    },
  },
  {
    name: "corpus-fast-xml-parser",
    packages: ["fast-xml-parser"],
    event: { xml: XML },
    files: {
      "index.mjs": `
        import { XMLParser, XMLBuilder, XMLValidator } from "fast-xml-parser";
        export const handler = async (event) => {
          const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseAttributeValue: true });
          const parsed = parser.parse(event.xml);
          const built = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@" }).build({ reply: { "@ok": true, count: 2 } });
          return { parsed, built, valid: XMLValidator.validate(event.xml), invalid: XMLValidator.validate("<a><b></a>") };
        };`,
    },
    check: (out) => {
      expect(out.parsed.order["@id"]).toBe(42);
      expect(out.parsed.order.item[0]).toEqual({ "#text": "Widget", "@sku": "A1", "@qty": 2 });
      expect(out.built).toBe("<reply ok><count>2</count></reply>");
      expect(out.valid).toBe(true);
      expect(out.invalid.err.code).toBe("InvalidTag");
    },
  },
  {
    name: "corpus-yaml",
    packages: ["yaml"],
    event: {
      text: "service: orders\nfunctions:\n  - name: create # the POST route\n    memory: 512\n    events: [http, sqs]\nanchors:\n  base: &b { timeout: 3 }\n  derived: { <<: *b, retries: 2 }\nwhen: 2024-03-09\n",
    },
    files: {
      "index.js": `
        const YAML = require("yaml");
        exports.handler = async (event) => {
          const doc = YAML.parseDocument(event.text, { merge: true });
          doc.setIn(["functions", 0, "memory"], 1024);
          let error;
          try { YAML.parse("a: [1, 2"); } catch (e) { error = { name: e.name, code: e.code }; }
          return { parsed: YAML.parse(event.text, { merge: true }), edited: doc.toString(), out: YAML.stringify({ a: [1, { b: "x: y" }], multi: "l1\\nl2\\n" }), error };
        };`,
    },
    check: (out) => {
      expect(out.parsed.functions).toEqual([{ name: "create", memory: 512, events: ["http", "sqs"] }]);
      expect(out.parsed.anchors.derived).toEqual({ timeout: 3, retries: 2 });
      expect(out.edited).toContain("memory: 1024");
      expect(out.edited).toContain("# the POST route");
      expect(out.out).toBe('a:\n  - 1\n  - b: "x: y"\nmulti: |\n  l1\n  l2\n');
      expect(out.error).toEqual({ name: "YAMLParseError", code: "BAD_INDENT" });
    },
  },
  {
    name: "corpus-handlebars",
    packages: ["handlebars"],
    event: {
      user: {
        name: "Ada <admin>",
        orders: [
          { id: 1, total: 9.5 },
          { id: 2, total: 20 },
        ],
      },
    },
    files: {
      "index.js": `
        const Handlebars = require("handlebars");
        Handlebars.registerHelper("money", (n) => "$" + n.toFixed(2));
        Handlebars.registerPartial("line", "#{{id}}: {{money total}}");
        const page = Handlebars.compile("<h1>Hi {{user.name}}</h1>{{#each user.orders}}{{> line}}{{#unless @last}}, {{/unless}}{{/each}}{{#if user.vip}}!{{else}}.{{/if}} {{{raw}}}");
        exports.handler = async (event) => ({ html: page({ ...event, raw: "<i>x</i>" }), precompiled: Handlebars.precompile("{{a}}").length > 0 });`,
    },
    check: (out) => {
      expect(out.html).toBe("<h1>Hi Ada &lt;admin&gt;</h1>#1: $9.50, #2: $20.00. <i>x</i>");
      expect(out.precompiled).toBe(true);
    },
  },
  {
    name: "corpus-mustache",
    packages: ["mustache"],
    event: { name: "Ada & co", items: [{ n: "a" }, { n: "b" }], empty: [] },
    files: {
      "index.js": `
        const Mustache = require("mustache");
        exports.handler = async (event) => ({
          text: Mustache.render("Hello {{name}} / {{{name}}}: {{#items}}[{{n}}]{{/items}}{{^empty}} none{{/empty}} {{>p}}", event, { p: "({{items.length}})" }),
          tags: Mustache.render("<%name%>", event, {}, ["<%", "%>"]),
        });`,
    },
    check: (out) => {
      expect(out.text).toBe("Hello Ada &amp; co / Ada & co: [a][b] none (2)");
      expect(out.tags).toBe("Ada &amp; co");
    },
  },
  {
    name: "corpus-marked",
    packages: ["marked"],
    event: {
      md: "# Title\n\nSome *emphasis*, `code` and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconst x = 1;\n```\n\n- [x] done\n- [ ] todo\n",
    },
    files: {
      "index.mjs": `
        import { marked, Marked } from "marked";
        export const handler = async (event) => {
          const custom = new Marked({ renderer: { heading({ tokens, depth }) { return "<h" + depth + " class=t>" + this.parser.parseInline(tokens) + "</h" + depth + ">\\n"; } } });
          return { html: marked.parse(event.md), custom: custom.parse("## Hi *there*"), inline: marked.parseInline("**b**"), tokens: marked.lexer(event.md).map((t) => t.type) };
        };`,
    },
    check: (out) => {
      expect(out.html).toContain("<h1>Title</h1>");
      expect(out.html).toContain('<a href="https://example.com">link</a>');
      expect(out.html).toContain("<td>1</td>");
      expect(out.html).toContain('<code class="language-js">const x = 1;');
      expect(out.custom).toBe("<h2 class=t>Hi <em>there</em></h2>\n");
      expect(out.inline).toBe("<strong>b</strong>");
    },
  },
  {
    name: "corpus-qs",
    packages: ["qs"],
    event: { query: "filter[status]=open&filter[tags][]=a&filter[tags][]=b&page[size]=20&q=a%20b&flag" },
    files: {
      "index.js": `
        const qs = require("qs");
        exports.handler = async (event) => ({
          parsed: qs.parse(event.query),
          stringified: qs.stringify({ a: { b: [1, 2] }, c: "d e" }, { encodeValuesOnly: true }),
          brackets: qs.stringify({ ids: [1, 2] }, { arrayFormat: "brackets" }),
          depth: qs.parse("a[b][c][d][e][f][g]=1", { depth: 2 }),
        });`,
    },
    check: (out) => {
      expect(out.parsed).toEqual({ filter: { status: "open", tags: ["a", "b"] }, page: { size: "20" }, q: "a b", flag: "" });
      expect(out.stringified).toBe("a[b][0]=1&a[b][1]=2&c=d%20e");
      expect(out.brackets).toBe("ids%5B%5D=1&ids%5B%5D=2");
    },
  },
  {
    name: "corpus-dotenv",
    packages: ["dotenv"],
    event: {},
    files: {
      ".env":
        "DB_HOST=localhost\nDB_PORT=5432\nSECRET=\"multi\\nline\"\nQUOTED='single # not a comment'\nEMPTY=\n# comment\nEXISTING=from-file\n",
      "index.js": `
        const dotenv = require("dotenv");
        // Lambda's working directory is /var/task, where the .env file is deployed.
        const result = dotenv.config({ quiet: true });
        exports.handler = async () => ({
          error: result.error ? result.error.message : null,
          env: { host: process.env.DB_HOST, port: process.env.DB_PORT, secret: process.env.SECRET, quoted: process.env.QUOTED, empty: process.env.EMPTY, existing: process.env.EXISTING },
          parsed: dotenv.parse(Buffer.from("A=1\\nB = two words \\n")),
        });`,
    },
    environment: { EXISTING: "from-lambda" },
    // Node's run is not in /var/task, so its config() finds no .env: the check states Lambda's answer.
    compareWithNode: false,
    check: (out) => {
      expect(out.error).toBeNull();
      expect(out.env).toEqual({
        host: "localhost",
        port: "5432",
        secret: "multi\nline",
        quoted: "single # not a comment",
        empty: "",
        existing: "from-lambda",
      });
      expect(out.parsed).toEqual({ A: "1", B: "two words" });
    },
  },
];

describe("data libraries inside the sandbox, each answer equal to Node's", () => {
  corpusTests(api, CASES);
});
