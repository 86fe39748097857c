// TextEncoder and TextDecoder over the Buffer library; loaded on first use.

export function utf8Encoder(builtin) {
  return class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = "") {
      const buf = builtin("buffer").Buffer.from(String(input), "utf8");
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    encodeInto(input, dest) {
      const bytes = this.encode(input);
      const written = Math.min(bytes.length, dest.length);
      dest.set(bytes.subarray(0, written));
      return { read: input.length, written };
    }
  };
}

export function utf8Decoder(builtin) {
  const encodings = { "utf-8": "utf8", utf8: "utf8", "utf-16le": "utf16le", latin1: "latin1", ascii: "ascii" };
  return class TextDecoder {
    #encoding;
    #ignoreBOM;
    constructor(label = "utf-8", options = {}) {
      const key = String(label).toLowerCase();
      if (!(key in encodings)) throw new RangeError(`The "${label}" encoding is not supported`);
      this.#encoding = key;
      this.#ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return this.#encoding;
    }
    decode(input) {
      if (input === undefined) return "";
      const { Buffer } = builtin("buffer");
      const buf = ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(input);
      const text = buf.toString(encodings[this.#encoding]);
      return !this.#ignoreBOM && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
  };
}
