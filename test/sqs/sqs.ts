/** An @aws-sdk/client-sqs client for the test server, made anew when a restart moves its port. */
import { CreateQueueCommand, SQSClient, SQSServiceException } from "@aws-sdk/client-sqs";
import { afterAll } from "vitest";
import type { TestServer } from "../api/server.js";

export interface SqsTest {
  /** The client for the server's current URL. */
  client(): SQSClient;
  /** CreateQueue, returning the queue URL. */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  arn(name: string): string;
}

export function useSqs(api: TestServer): SqsTest {
  const clients = new Map<string, SQSClient>();
  afterAll(() => {
    for (const c of clients.values()) c.destroy();
  });
  const client = () => {
    let c = clients.get(api.url);
    if (!c) {
      c = new SQSClient({
        endpoint: api.url,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      clients.set(api.url, c);
    }
    return c;
  };
  return {
    client,
    async createQueue(name, attributes) {
      const out = await client().send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (!out.QueueUrl) throw new Error("CreateQueue returned no QueueUrl");
      return out.QueueUrl;
    },
    arn: (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`,
  };
}

/** The error an SDK call fails with, to check its class and fields together. */
export async function failure(promise: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SQSServiceException) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
