/**
 * FormData in the sandbox, the multipart/form-data bodies Request, Response and fetch make of it,
 * and formData() reading them back: each source runs in the handler and in the host's Node (whose
 * fetch is undici), and the answers must be the same, boundaries aside.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { FAILURE_SOURCE, useSandbox } from "./harness.js";
import { answersAsNode } from "./node-twin.js";

let sandbox: Sandbox;
useSandbox((started) => {
  sandbox = started;
});

const HELPERS = `${FAILURE_SOURCE}
const shown = (form) => [...form].map(([k, v]) => [k, typeof v === "string" ? v : [v.constructor.name, v.name, v.type, v.size]]);
const sample = () => {
  const form = new FormData();
  form.append("a", "1");
  form.append("a", 2);
  form.append("blob", new Blob(["hi"], { type: "text/plain" }));
  form.append("file", new File(["é!"], "x.txt", { type: "text/x" }), "renamed.txt");
  form.append("bytes", new Blob([new Uint8Array([0, 1, 2, 255])]), "named.bin");
  form.set("lines", "one\\ntwo\\r\\nthree\\r");
  form.append('quote"\\nname', "v");
  return form;
};`;

const both = async (body: string, event: unknown = {}) => {
  const files = { "index.js": `${HELPERS}\nexports.handler = async (event) => {${body}};` };
  return answersAsNode(sandbox, files, event);
};

describe("FormData", () => {
  it("keeps entries as Node's does: strings, Blobs made Files, set, delete, iteration and its errors", async () => {
    const node = await both(`
      const form = sample();
      const seen = [];
      form.forEach(function (value, name, self) { seen.push([name, self === form, this]); }, "this");
      const blob = form.get("blob");
      const result = {
        entries: shown(form), keys: [...form.keys()], values: [...form.values()].length,
        get: [form.get("a"), form.getAll("a"), form.has("a"), form.has("z"), form.get("z"), form.getAll("z")],
        blob: [blob instanceof File, blob instanceof Blob, blob.name, blob.type, typeof blob.lastModified, await blob.text()],
        seen, tag: Object.prototype.toString.call(form), length: FormData.length,
        own: Object.getOwnPropertyNames(FormData.prototype).sort(),
        errors: [failure(() => new FormData({})), failure(() => form.append("a")), failure(() => form.append("a", "b", "c")),
          failure(() => FormData.prototype.get.call({}, "a")), failure(() => form.get()), failure(() => form.forEach(5))],
      };
      form.delete("a");
      form.set("blob", "now a string");
      form.set("new", "appended");
      result.after = shown(form);
      return result;`);
    expect((node as { get: unknown[] }).get[1]).toEqual(["1", "2"]);
  });

  it("is a multipart/form-data body for Response and Request, which formData() reads back", async () => {
    await both(`
      const response = new Response(sample());
      const type = response.headers.get("content-type");
      const boundary = type.split("boundary=")[1];
      const text = await response.text();
      const request = new Request("http://localhost/", { method: "POST", body: sample() });
      const back = await new Response(sample()).formData();
      return {
        type: type.replace(boundary, "B"), boundary: /^----formdata-undici-0\\d{11}$/.test(boundary),
        text: text.split(boundary).join("B"),
        back: shown(back), file: await back.get("file").text(), bytes: [...new Uint8Array(await back.get("bytes").arrayBuffer())],
        request: [request.headers.get("content-type").startsWith("multipart/form-data; boundary="), shown(await request.formData())],
        mine: new Response(sample(), { headers: { "content-type": "text/mine" } }).headers.get("content-type"),
      };`);
  });

  it("parses multipart/form-data and urlencoded bodies as strictly as Node 20, and rejects other types", async () => {
    await both(`
      const parse = (body, type = "multipart/form-data; boundary=XX") => new Response(body, { headers: { "content-type": type } }).formData()
        .then(shown, (e) => [e.name, e.message]);
      const part = (headers, body) => "--XX\\r\\n" + headers.join("\\r\\n") + "\\r\\n\\r\\n" + body + "\\r\\n";
      const disposition = 'Content-Disposition: form-data; name="a"';
      return {
        plain: await parse(part([disposition], "v1") + part(['Content-Disposition: form-data; name="f"; filename="f.bin"'], "\\u0000\\u0001") + "--XX--\\r\\n"),
        typed: await parse(part(['Content-Disposition: form-data; name="g"; filename="g.txt"', "Content-Type: text/plain; charset=utf-8"], "hé") + "--XX--"),
        escaped: await parse(part(['Content-Disposition: form-data; name="a%22b%0Ac"; filename="f%22.txt"'], "1") + "--XX--\\r\\n"),
        base64: await parse(part(['Content-Disposition: form-data; name="a"; filename="f"', "Content-Transfer-Encoding: base64"], "aGk=") + "--XX--\\r\\n"),
        other: await parse(part(["X-Other: yes", disposition], "1") + "--XX--\\r\\n"),
        bom: await parse(part([disposition], "\\ufeffx") + "--XX--\\r\\n"),
        quoted: await parse("--X Y\\r\\n" + disposition + "\\r\\n\\r\\n1\\r\\n--X Y--\\r\\n", 'multipart/form-data; boundary="X Y"'),
        cased: await parse("--XX--\\r\\n", "Multipart/Form-Data; Boundary=XX"),
        empty: await parse("--XX--\\r\\n"),
        failures: await Promise.all([
          "junk\\r\\n" + part([disposition], "1") + "--XX--",
          part([disposition], "1") + "--XX--\\r\\njunk",
          part([disposition], "1") + "--XX",
          part(['Content-Disposition: form-data; NAME="a"'], "1") + "--XX--",
          part(["Content-Disposition: form-data"], "1") + "--XX--",
          part(["Content-Disposition: form-data; name=a"], "1") + "--XX--",
          "--XX\\nContent-Disposition: form-data; name=\\"a\\"\\n\\n1\\n--XX--\\n",
        ].map((body) => parse(body))),
        noBoundary: await parse("--XX--\\r\\n", "multipart/form-data"),
        urlencoded: await parse("a=%C3%A9&b+c=d&a=2", "application/x-www-form-urlencoded;charset=UTF-8"),
        wrongType: await parse("x", "text/plain"),
        noType: await new Response(new Uint8Array([1])).formData().then(shown, (e) => [e.name, e.message]),
        blob: await new Response("zz", { headers: { "content-type": "c/d" } }).blob().then((b) => [b.constructor.name, b.type, b.size]),
        blobBody: [await new Response(new Blob(["bb"], { type: "a/b" })).text(), new Response(new Blob(["bb"], { type: "a/b" })).headers.get("content-type")],
      };`);
  });

  describe("sent by fetch", () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      // Answers what it received: the content type and the body, as text.
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              type: req.headers["content-type"],
              length: req.headers["content-length"],
              body: Buffer.concat(chunks).toString("latin1"),
            }),
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("goes out as the same multipart/form-data body undici sends", async () => {
      const node = await both(
        `
        const answer = await (await fetch(event.base, { method: "POST", body: sample() })).json();
        const boundary = answer.type.split("boundary=")[1];
        return { type: answer.type.replace(boundary, "B"), length: answer.length === undefined ? "chunked" : Number(answer.length) - 2 * boundary.length,
          body: answer.body.split(boundary).join("B") };`,
        { base },
      );
      expect((node as { type: string }).type).toBe("multipart/form-data; boundary=B");
    });
  });
});
