/**
 * The digests SQS returns with a message. SDKs recompute them and reject a mismatch, so they
 * follow SQS's documented encoding exactly ("Calculating the MD5 message digest for message
 * attributes", Amazon SQS Developer Guide).
 */
import { createHash } from "node:crypto";

/** A message attribute as stored: Binary values as bytes. */
export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export function md5Hex(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/**
 * Names sorted by their bytes; each attribute encoded as name, data type, a one-byte transport
 * type (1 for String and Number, 2 for Binary) and the value, every variable part preceded by its
 * length as a 4-byte big-endian integer.
 */
export function md5OfAttributes(attributes: Record<string, AttributeValue>): string {
  const hash = createHash("md5");
  const withLength = (bytes: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  const names = Object.keys(attributes).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const attribute = attributes[name] as AttributeValue;
    withLength(Buffer.from(name));
    withLength(Buffer.from(attribute.DataType));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.of(2));
      withLength(attribute.BinaryValue);
    } else {
      hash.update(Buffer.of(1));
      withLength(Buffer.from(attribute.StringValue ?? ""));
    }
  }
  return hash.digest("hex");
}
