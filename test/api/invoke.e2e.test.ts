import { connect } from "node:net";
import { InvokeCommand, RequestTooLargeException, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useServer } from "./server.js";

const api = useServer({ functionsDir: "functions" });
const decoder = new TextDecoder();

describe("Invoke through @aws-sdk/client-lambda", () => {
  it("runs the example hello function and returns its result with Lambda's headers", async () => {
    const out = await api.client.send(
      new InvokeCommand({ FunctionName: "hello", Payload: new TextEncoder().encode('{"name":"sdk"}'), LogType: "Tail" }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ statusCode: 200, body: JSON.stringify({ message: "hello sdk" }) });
    const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(log).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/m);
  });

  it("accepts the function as an ARN with $LATEST", async () => {
    const out = await api.client.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST" }));
    expect(JSON.parse(decoder.decode(out.Payload)).statusCode).toBe(200);
  });

  it("answers an unknown function with ResourceNotFoundException", async () => {
    await expect(api.client.send(new InvokeCommand({ FunctionName: "missing" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses a payload over 6 MB with RequestTooLargeException", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(6 * 1024 * 1024) }));
    await expect(api.client.send(new InvokeCommand({ FunctionName: "hello", Payload: big }))).rejects.toBeInstanceOf(
      RequestTooLargeException,
    );
  });

  it("answers Event with 202 and DryRun with 204", async () => {
    const event = await api.client.send(new InvokeCommand({ FunctionName: "hello", InvocationType: "Event" }));
    expect(event.StatusCode).toBe(202);
    const dry = await api.client.send(new InvokeCommand({ FunctionName: "hello", InvocationType: "DryRun" }));
    expect(dry.StatusCode).toBe(204);
  });

  it("answers a body that is not JSON with InvalidRequestContentException over plain fetch", async () => {
    const response = await fetch(`${api.url}/2015-03-31/functions/hello/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-ErrorType")).toBe("InvalidRequestContentException");
    expect(((await response.json()) as { message: string }).message).toMatch(/^Could not parse request body into json/);
  });
});

describe("Invoke's HTTP details, over plain HTTP", () => {
  const invocations = (name: string) => `${api.url}/2015-03-31/functions/${name}/invocations`;

  it("reads an encoded ARN, a Qualifier in the query, and a body in UTF-8 with a BOM", async () => {
    const arn = encodeURIComponent("arn:aws:lambda:us-east-1:000000000000:function:hello");
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"zoë ✓"}')]);
    const response = await fetch(`${invocations(arn)}?Qualifier=live`, { method: "POST", body });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-executed-version")).toBe("1");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(Number(response.headers.get("content-length"))).toBe((await response.clone().arrayBuffer()).byteLength);
    expect(JSON.parse(((await response.json()) as { body: string }).body)).toEqual({ message: "hello zoë ✓" });
  });

  it("answers another method on the path as the API does, with an AWS error", async () => {
    const response = await fetch(invocations("hello"));
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-ErrorType")).toBe("ResourceNotFoundException");
    expect(((await response.json()) as { message: string }).message).toBe(
      "No Lambda API operation at GET /2015-03-31/functions/hello/invocations",
    );
  });

  it("refuses a body announced over 6 MB without waiting for it, and one streamed past 6 MB without keeping it", async () => {
    const { port, hostname } = new URL(api.url);
    const announced = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: 7000000\r\n\r\n`);
      });
      let answer = "";
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString("utf8");
        if (answer.includes("\r\n\r\n")) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.on("error", reject);
    });
    expect(announced).toMatch(/^HTTP\/1\.1 413 /);
    expect(announced).toMatch(/x-amzn-ErrorType: RequestTooLargeException/i);
    // 8 MB in 1 MB chunks, without a Content-Length.
    let sent = 0;
    const streamed = await fetch(invocations("hello"), {
      method: "POST",
      body: new ReadableStream({
        pull(controller) {
          if (sent++ === 8) controller.close();
          else controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get("x-amzn-ErrorType")).toBe("RequestTooLargeException");
  });

  it("stays up for the next caller when a client leaves in the middle of its body", async () => {
    const { port, hostname } = new URL(api.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        // Gone as soon as the head and a piece of the body are on their way.
        socket.write(`POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: 100\r\n\r\n{"na`, () =>
          socket.destroy(),
        );
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    const response = await fetch(invocations("hello"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"after"}',
    });
    expect(JSON.parse(((await response.json()) as { body: string }).body)).toEqual({ message: "hello after" });
  });
});
