// node:stream, stream/promises and stream/consumers: Node's own stream code as the
// `readable-stream` package ships it.
import Stream from "readable-stream/lib/stream.js";

export default Stream;

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export const consumers = {
  buffer: collect,
  async arrayBuffer(stream) {
    const buf = await collect(stream);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  },
  async text(stream) {
    return (await collect(stream)).toString("utf8");
  },
  async json(stream) {
    return JSON.parse((await collect(stream)).toString("utf8"));
  },
};
