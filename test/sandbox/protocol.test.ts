import { describe, expect, it } from "vitest";
import { readWireInvocation, type WireInvokeContext, wireInvocation } from "../../src/sandbox/shared/protocol.js";

describe("an invocation on the wire", () => {
  it("carries the context's fields and an event with newlines of its own", () => {
    const context: WireInvokeContext = {
      requestId: "0b4d3f1e-8f6c-4f0e-9d3c-2a1b3c4d5e6f",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:live",
      deadline: 1_763_900_000_123,
      traceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
      clientContext: { client: { app_title: "line\nbreak" }, custom: { n: 1 } },
      identity: { cognitoIdentityId: "id", cognitoIdentityPoolId: "pool" },
    };
    const event = '{\n  "text": "multi\\nline",\n  "n": 1\n}';
    expect(readWireInvocation(wireInvocation(event, context))).toEqual([context, event]);
  });

  it("leaves absent fields absent, and takes raw newlines out of ids", () => {
    const [context, event] = readWireInvocation(
      wireInvocation("{}", { requestId: "bad\nid", invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", deadline: 5 }),
    );
    expect(context).toEqual({ requestId: "bad id", invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", deadline: 5 });
    expect(event).toBe("{}");
  });
});
