/**
 * Zips a function folder in memory, deterministically: entries in sorted order, one fixed
 * timestamp, fixed modes (0644 files, 0755 directories). The same folder content always gives the
 * same bytes, and so the same CodeSha256, wherever and whenever it is zipped.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { type ZipOptions, type Zippable, zipSync } from "fflate";

/** 1980-01-01 12:00 local time: the DOS epoch (zip stores local time), noon so no zone shifts the day. */
const FIXED_MTIME = new Date(1980, 0, 1, 12, 0, 0);
const UNIX = 3;
const FILE_ATTRS = (0o100644 << 16) >>> 0;
const DIR_ATTRS = (0o040755 << 16) >>> 0;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The folder as a zip. Symlinks are followed while they stay inside the folder; one that leads out
 * of it (or into a loop) is left out, as are sockets, FIFOs and devices.
 */
export function zipFolder(root: string): Uint8Array {
  const realRoot = realpathSync(root);
  const entries: Array<[string, Uint8Array, ZipOptions]> = [];
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);

  const walk = (dir: string, prefix: string, ancestors: Set<string>) => {
    for (const name of readdirSync(dir).sort(compare)) {
      const full = path.join(dir, name);
      let real: string;
      try {
        real = realpathSync(full);
      } catch {
        continue; // a dangling symlink
      }
      if (!inside(real)) continue;
      const stat = statSync(real);
      if (stat.isDirectory()) {
        if (ancestors.has(real)) continue;
        entries.push([`${prefix}${name}/`, new Uint8Array(0), { mtime: FIXED_MTIME, os: UNIX, attrs: DIR_ATTRS }]);
        walk(full, `${prefix}${name}/`, new Set([...ancestors, real]));
      } else if (stat.isFile()) {
        entries.push([`${prefix}${name}`, readFileSync(real), { mtime: FIXED_MTIME, os: UNIX, attrs: FILE_ATTRS, level: 6 }]);
      }
    }
  };
  walk(realRoot, "", new Set([realRoot]));

  // fflate keeps a key with slashes whole, so this flat object is the archive's entry list, in
  // insertion order (integer-like names excepted: JS puts them first, the same way everywhere).
  const zippable: Zippable = Object.create(null) as Zippable;
  for (const [name, data, options] of entries) zippable[name] = [data, options];
  return zipSync(zippable);
}
