/** `npm start`'s setup: the repository's isolambda.config.json and example functions, on ephemeral ports. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { useServer } from "../api/server.js";

const config = loadConfig("isolambda.config.json");
const api = useServer({ functionsDir: "functions", doors: config.doors.map((door) => ({ ...door, port: 0 })) });
const door = (type: string, nth = 0) =>
  api.door(config.doors.map((d, i) => [d.type, i] as const).filter(([t]) => t === type)[nth]?.[1] ?? -1);

describe("the example doors", () => {
  it("serves the ALB JSON API", async () => {
    const list = await fetch(`${door("alb")}/api/items`);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([
      { id: "1", name: "kettle" },
      { id: "2", name: "teapot" },
    ]);
    const created = await fetch(`${door("alb")}/api/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"mug"}',
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${door("alb")}/api/items/99`)).status).toBe(404);
  });

  it("serves the WebAssembly component example through the ALB door", async () => {
    const response = await fetch(`${door("alb")}/wasm`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hello from WAT");
  });

  it("redirects to /login without a session cookie and adds security headers to what the folder origin serves", async () => {
    const redirected = await fetch(door("cloudfront"), { redirect: "manual" });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get("location")).toBe("/login.html?next=%2F");
    const page = await fetch(door("cloudfront"), { headers: { cookie: "session=alice" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("strict-transport-security")).toMatch(/^max-age=/);
  });

  it("answers through the function URLs, buffered and streamed", async () => {
    const hello = await fetch(`${door("url")}/?name=tests`);
    expect(await hello.json()).toMatchObject({ message: "hello tests", visits: 1 });
    expect(hello.headers.getSetCookie()).toEqual(["visits=1; Path=/; HttpOnly"]);
    const streamed = await fetch(door("url", 1));
    expect(streamed.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect((await streamed.text()).trim().split("\n")).toHaveLength(6);
  });
});
