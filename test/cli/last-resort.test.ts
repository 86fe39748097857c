/** serve's last resort, in a process of its own: a throw nothing caught is logged and the process goes on. */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lastResortLine } from "../../src/cli/last-resort.js";

const MODULE = path.resolve("src/cli/last-resort.ts");

/** Throws from a timer and rejects a promise, then prints "still running" once both were logged. */
const SCRIPT = `
const { installLastResort } = await import(${JSON.stringify(MODULE)});
const lines = [];
installLastResort((line) => { lines.push(line); console.error(line); if (lines.length === 2) console.log("still running"); });
setTimeout(() => { throw new TypeError("from a timer"); });
void Promise.reject(new RangeError("from a promise"));
`;

describe("the last-resort guard", () => {
  it("logs an uncaught exception and an unhandled rejection as one line each, and the process goes on", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], { timeout: 20_000 }, (error, out, err) =>
        resolve({ code: error === null ? 0 : 1, stdout: out, stderr: err }),
      );
    });
    expect(stdout).toBe("still running\n");
    expect(code).toBe(0);
    const logged = stderr.split("\n").filter((line) => line.startsWith("isolambda:"));
    expect(logged).toHaveLength(2);
    expect(logged).toContainEqual(expect.stringMatching(/^isolambda: uncaught exception, still serving .*TypeError: from a timer \(at /));
    expect(logged).toContainEqual(
      expect.stringMatching(/^isolambda: unhandled rejection, still serving .*RangeError: from a promise \(at /),
    );
  });

  it("describes a thrown value that is not an Error", () => {
    expect(lastResortLine("unhandled rejection", undefined)).toMatch(/: undefined$/);
  });
});
