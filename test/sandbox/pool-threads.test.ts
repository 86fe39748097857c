/**
 * The guests' places on Node's thread pool (src/sandbox/shared/pool-threads.ts), which their crypto
 * callbacks and the name lookups of their requests take before they run there: at most
 * GUEST_POOL_THREADS at once, the others waiting, oldest first.
 */
import { lookup } from "node:dns";
import { describe, expect, it } from "vitest";
import { GUEST_POOL_THREADS, onPoolThread } from "../../src/sandbox/shared/pool-threads.js";

describe("the guests' places on the thread pool", () => {
  it(`runs ${GUEST_POOL_THREADS} at once, the others in the order they came as places are given back`, () => {
    const started: number[] = [];
    const releases: Array<() => void> = [];
    for (let i = 0; i < GUEST_POOL_THREADS + 3; i++) {
      onPoolThread((release) => {
        started.push(i);
        releases.push(release);
      });
    }
    expect(started).toEqual(Array.from({ length: GUEST_POOL_THREADS }, (_, i) => i));
    // A place given back twice counts once.
    releases[1]?.();
    releases[1]?.();
    expect(started).toEqual([...Array.from({ length: GUEST_POOL_THREADS }, (_, i) => i), GUEST_POOL_THREADS]);
    // Each place given back lets the next waiting one in (the list grows as they start).
    for (let i = 0; i < releases.length; i++) if (i !== 1) releases[i]?.();
    expect(started).toEqual(Array.from({ length: GUEST_POOL_THREADS + 3 }, (_, i) => i));
  });

  it("lets a lookup run once it has a place, and gives the place back after it", async () => {
    const addresses = await new Promise<string>((resolve, reject) =>
      onPoolThread((release) =>
        lookup("localhost", { family: 4 }, (error, address) => {
          release();
          if (error) reject(error);
          else resolve(address);
        }),
      ),
    );
    expect(addresses).toBe("127.0.0.1");
    const next = await new Promise<boolean>((resolve) => onPoolThread((release) => (release(), resolve(true))));
    expect(next).toBe(true);
  });
});
