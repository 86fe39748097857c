/**
 * A streamed HTTP response (awslambda.HttpResponseStream): the stream's content type is
 * application/vnd.awslambda.http-integration-response and its bytes are a JSON prelude
 * ({statusCode, headers, cookies}), 8 NUL bytes, then the body.
 */
export const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER_LENGTH = 8;

/** Collects bytes until the delimiter; then hands over the prelude and the first body bytes. */
export class PreludeReader {
  #pending: Buffer[] = [];
  #size = 0;

  /** Feeds bytes; answers the prelude text and the body bytes after it once the delimiter has arrived. */
  push(bytes: Uint8Array): { prelude: string; rest: Buffer } | undefined {
    this.#pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.#size += bytes.byteLength;
    const all = Buffer.concat(this.#pending, this.#size);
    const at = findDelimiter(all);
    if (at === -1) {
      this.#pending = [all];
      return undefined;
    }
    this.#pending = [];
    return { prelude: all.toString("utf8", 0, at), rest: all.subarray(at + DELIMITER_LENGTH) };
  }

  /** Bytes that never reached a delimiter (a stream that ended early). */
  rest(): Buffer {
    return Buffer.concat(this.#pending, this.#size);
  }
}

function findDelimiter(bytes: Buffer): number {
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      run++;
      if (run === DELIMITER_LENGTH) return i - DELIMITER_LENGTH + 1;
    } else run = 0;
  }
  return -1;
}
