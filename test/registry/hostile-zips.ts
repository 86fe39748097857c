/**
 * Zips whose headers say what the test wants, whatever their data holds: fflate's streaming Zip
 * takes an entry's declared size and CRC-32 from the ZipInputFile, and its data as given.
 */
import { once } from "node:events";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";
import { Zip, type ZipInputFile } from "fflate";

const MiB = 1024 * 1024;

export interface Deflated {
  /** The raw deflate stream. */
  data: Uint8Array;
  /** What inflating it gives: its length and CRC-32. */
  size: number;
  crc: number;
}

/** `bytes` zeros as one deflate stream, made from a reused 1 MiB block: a few hundred KB for 300 MiB. */
export async function deflatedZeros(bytes: number): Promise<Deflated> {
  const block = Buffer.alloc(MiB);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => out.push(chunk));
  let crc = 0;
  for (let left = bytes; left > 0; left -= MiB) {
    const piece = left >= MiB ? block : block.subarray(0, left);
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await once(deflate, "drain");
  }
  deflate.end();
  await once(deflate, "end");
  return { data: Buffer.concat(out), size: bytes, crc };
}

export function deflatedText(text: string): Deflated {
  const raw = Buffer.from(text);
  return { data: deflateRawSync(raw), size: raw.length, crc: crc32(raw) };
}

/** A zip of deflated entries, each declaring the size and CRC-32 given (the real ones unless overridden). */
export function zipDeclaring(entries: Array<{ name: string; content: Deflated; size?: number; crc?: number }>): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    parts.push(chunk);
  });
  for (const { name, content, size, crc } of entries) {
    const file: ZipInputFile = {
      filename: name,
      compression: 8,
      size: size ?? content.size,
      crc: crc ?? content.crc,
    };
    zip.add(file);
    file.ondata?.(null, new Uint8Array(content.data), true);
  }
  zip.end();
  return Buffer.concat(parts);
}
