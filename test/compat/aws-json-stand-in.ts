/**
 * A loopback stand-in for the AWS services isolambda does not serve, for the calls the corpus's
 * handlers make: DynamoDB PutItem and GetItem (awsJson1_0), SSM GetParameter and Secrets Manager
 * GetSecretValue (awsJson1_1), answered as the services document them. Every request is kept, so a
 * test can check what the SDK sent (target, body, signature), for which case and from which side.
 */

import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  /** The endpoint's path: each case gives its clients an endpoint of its own (`<url>/<case>`). */
  path: string;
  target: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Sent from inside the sandbox: the SDK's user agent names Lambda's execution environment there. */
  fromSandbox: boolean;
}

export interface AwsJsonStandIn {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown };

/** The canned SSM parameters and Secrets Manager secrets; anything else is the services' not-found error. */
export const PARAMETERS: Record<string, string> = {
  "/app/db-url": "postgres://db.internal:5432/orders",
  "/app/config": '{"retries":3,"features":["a","b"]}',
};
export const SECRETS: Record<string, string> = { "app/db": '{"username":"orders","password":"s3cr3t é"}' };
/** Epoch seconds, as the JSON protocols send timestamps: 2026-01-02T03:04:05Z. */
const MODIFIED = 1767323045;

function notFound(type: string, message: string): Answer {
  return { status: 400, body: { __type: type, message } };
}

function answer(target: string, body: Record<string, unknown>, items: Map<string, unknown>): Answer {
  // The tables' key is one attribute, `pk`.
  const key = `${body.TableName}/${JSON.stringify((body.Item as { pk?: unknown } | undefined)?.pk ?? (body.Key as { pk?: unknown } | undefined)?.pk)}`;
  switch (target) {
    case "DynamoDB_20120810.PutItem":
      if (body.ConditionExpression === "attribute_not_exists(pk)" && items.has(key)) {
        return notFound("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed");
      }
      items.set(key, body.Item);
      return { status: 200, body: {} };
    case "DynamoDB_20120810.GetItem":
      return { status: 200, body: items.has(key) ? { Item: items.get(key) } : {} };
    case "AmazonSSM.GetParameter": {
      const name = String(body.Name);
      const value = PARAMETERS[name];
      if (value === undefined) return notFound("ParameterNotFound", `Parameter ${name} not found.`);
      const arn = `arn:aws:ssm:us-east-1:000000000000:parameter${name}`;
      return {
        status: 200,
        body: {
          Parameter: { Name: name, Type: "String", Value: value, Version: 3, LastModifiedDate: MODIFIED, ARN: arn, DataType: "text" },
        },
      };
    }
    case "secretsmanager.GetSecretValue": {
      const id = String(body.SecretId);
      const value = SECRETS[id];
      if (value === undefined) return notFound("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
      return {
        status: 200,
        body: {
          ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
          Name: id,
          VersionId: "00000000-0000-4000-8000-000000000001",
          SecretString: value,
          VersionStages: ["AWSCURRENT"],
          CreatedDate: MODIFIED,
        },
      };
    }
    default:
      return notFound("UnknownOperationException", `the stand-in does not answer ${target}`);
  }
}

export async function startAwsJsonStandIn(): Promise<AwsJsonStandIn> {
  const received: ReceivedRequest[] = [];
  const items = new Map<string, unknown>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      const fromSandbox = String(req.headers["user-agent"] ?? "").includes("exec-env/AWS_Lambda_nodejs");
      received.push({ path: req.url ?? "/", target, headers: req.headers, body, fromSandbox });
      const out = answer(target, body, items);
      const type = target.startsWith("DynamoDB_") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
      res.writeHead(out.status, { "content-type": type, "x-amzn-requestid": "stand-in" }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
