import { InvokeCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const credentials = { accessKeyId: "ASIATESTROLE", secretAccessKey: "role-secret", sessionToken: "role-session" };
const api = useServer({ credentials });
const decoder = new TextDecoder();

async function invoke(name: string): Promise<unknown> {
  const out = await api.client.send(new InvokeCommand({ FunctionName: name }));
  expect(out.FunctionError).toBeUndefined();
  return JSON.parse(decoder.decode(out.Payload));
}

describe("what a function finds of AWS", () => {
  it("gets its execution role's credentials and isolambda's endpoint, as Lambda provides them", async () => {
    await api.create(
      "env-reader",
      `exports.handler = async () => {
        const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL } = process.env;
        return { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL };
      };`,
    );
    expect(await invoke("env-reader")).toEqual({
      AWS_ACCESS_KEY_ID: "ASIATESTROLE",
      AWS_SECRET_ACCESS_KEY: "role-secret",
      AWS_SESSION_TOKEN: "role-session",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL: api.url,
    });
  });

  it("reaches isolambda's own Lambda API at AWS_ENDPOINT_URL from inside a handler", async () => {
    await api.create("callee", "exports.handler = async (e) => ({ calledWith: e });");
    await api.create(
      "caller",
      `exports.handler = async () => {
        const url = process.env.AWS_ENDPOINT_URL + "/2015-03-31/functions/callee/invocations";
        const response = await fetch(url, { method: "POST", body: JSON.stringify({ from: "caller" }) });
        return { status: response.status, body: await response.json() };
      };`,
    );
    expect(await invoke("caller")).toEqual({ status: 200, body: { calledWith: { from: "caller" } } });
  });
});
