import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedRegistry, openRegistry } from "../../src/registry/index.js";
import { newMessage } from "../../src/sqs/message.js";
import { DEFAULT_SETTINGS } from "../../src/sqs/queue-attributes.js";
import { QueueStore } from "../../src/sqs/store.js";

// The store takes `now` from its caller, so time-based rules are checked here without waiting.
describe("QueueStore", () => {
  let dir = "";
  let opened: OpenedRegistry;
  let store: QueueStore;
  const T0 = 1_800_000_000_000;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "isolambda-sqs-"));
    opened = openRegistry(dir);
    store = new QueueStore(opened.db);
  });
  afterEach(() => {
    opened.registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (queue: string, body: string, sent: number) =>
    store.insertMessage(queue, `id-${body}`, newMessage(body, undefined, undefined, 1024), sent, sent);

  it("drops messages older than MessageRetentionPeriod, counted from when they were sent", () => {
    store.createQueue("q", { ...DEFAULT_SETTINGS, MessageRetentionPeriod: 60 }, {}, T0 / 1000);
    send("q", "old", T0);
    send("q", "young", T0 + 30_000);
    const queue = store.queue("q");
    if (!queue) throw new Error("queue not created");
    expect(store.counts(queue, T0 + 59_999)).toEqual({ visible: 2, inFlight: 0, delayed: 0 });
    const { messages } = store.receive(queue, 10, 30_000, T0 + 60_000, undefined);
    expect(messages.map((m) => m.body)).toEqual(["young"]);
    expect(store.counts(queue, T0 + 60_000)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it("leaves a message in place when its dead-letter queue no longer exists", () => {
    store.createQueue("src", DEFAULT_SETTINGS, {}, T0 / 1000);
    send("src", "m", T0);
    const queue = store.queue("src");
    if (!queue) throw new Error("queue not created");
    const redrive = { maxReceiveCount: 1, target: undefined, sourceArn: "arn:aws:sqs:us-east-1:000000000000:src" };
    expect(store.receive(queue, 1, 0, T0, redrive).messages).toHaveLength(1);
    const again = store.receive(queue, 1, 0, T0 + 1, redrive);
    expect(again.moved).toBe(false);
    expect(again.messages.map((m) => m.receiveCount)).toEqual([2]);
  });

  it("returns a message once per ReceiveMessage even with VisibilityTimeout 0", () => {
    store.createQueue("zero", DEFAULT_SETTINGS, {}, T0 / 1000);
    send("zero", "a", T0);
    send("zero", "b", T0);
    const queue = store.queue("zero");
    if (!queue) throw new Error("queue not created");
    expect(store.receive(queue, 10, 0, T0 + 5, undefined).messages.map((m) => m.body)).toEqual(["a", "b"]);
  });
});
