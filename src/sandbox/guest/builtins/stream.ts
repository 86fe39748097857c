// node:stream, stream/promises and stream/consumers: Node's own stream code as the
// `readable-stream` package ships it.
import Stream from "readable-stream/lib/stream.js";

export type { StreamModule } from "readable-stream/lib/stream.js";

export default Stream;

/** A Buffer of a stream's chunks: strings as UTF-8, the rest as the bytes they are. */
async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export const consumers = {
  buffer: collect,
  async arrayBuffer(stream: AsyncIterable<unknown>): Promise<ArrayBuffer> {
    const buf = await collect(stream);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  },
  async text(stream: AsyncIterable<unknown>): Promise<string> {
    return (await collect(stream)).toString("utf8");
  },
  async json(stream: AsyncIterable<unknown>): Promise<unknown> {
    return JSON.parse((await collect(stream)).toString("utf8"));
  },
};
