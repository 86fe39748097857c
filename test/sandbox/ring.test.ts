import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { type BulkPart, newRing, RingReader, RingWriter } from "../../src/sandbox/shared/ring.js";

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const item of open.splice(0)) item.close();
});

/** A writer and a reader over one ring; the reader collects what arrives. */
function link(ringBytes: number) {
  const ring = newRing(ringBytes);
  const { port1, port2 } = new MessageChannel();
  const received: Array<[string, BulkPart]> = [];
  let wanted = 0;
  let done: () => void = () => {};
  const reader = new RingReader(ring, port2, (meta, bulk) => {
    received.push([meta, bulk]);
    if (received.length === wanted) done();
  });
  const writer = new RingWriter(ring, port1);
  open.push(reader, writer, port1, port2);
  const arrived = (count: number) =>
    new Promise<void>((resolve) => {
      wanted = count;
      done = resolve;
      if (received.length >= count) resolve();
    });
  return { writer, received, arrived };
}

describe("the executor ring", () => {
  it("delivers frames in order across wrap-arounds, a full ring and the overflow port", async () => {
    const { writer, received, arrived } = link(512);
    const sent: Array<[string, BulkPart]> = [];
    for (let i = 0; i < 300; i++) {
      // Sizes from empty to larger than a quarter of the ring (which go by the port), some multi-byte.
      const text = "é€".repeat(i % 97);
      const bulk: BulkPart = i % 5 === 0 ? undefined : i % 5 === 1 ? new Uint8Array([i & 255, 1, 2, 3]) : text;
      const meta = JSON.stringify({ i, note: i % 7 === 0 ? "ünïcode" : "" });
      sent.push([meta, bulk]);
      writer.write(meta, bulk);
    }
    await arrived(300);
    expect(received).toEqual(sent);
  });

  it("carries an empty text bulk as an empty string, not as nothing", async () => {
    const { writer, received, arrived } = link(4096);
    writer.write("{}", "");
    writer.write("{}");
    await arrived(2);
    expect(received).toEqual([
      ["{}", ""],
      ["{}", undefined],
    ]);
  });
});
