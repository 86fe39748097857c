/** The shared wait: the first truthy answer, or a failure that says what never happened. */
import { describe, expect, it } from "vitest";
import { waitFor } from "./wait.js";

describe("waitFor", () => {
  it("resolves with the condition's first truthy answer, sync or async", async () => {
    let asked = 0;
    expect(await waitFor(() => ++asked >= 3 && { asked }, "three asks", { intervalMs: 1 })).toEqual({ asked: 3 });
    expect(await waitFor(async () => "ready", "an async answer")).toBe("ready");
  });

  it("fails after the timeout, naming what never happened and the last state described", async () => {
    let seen = 0;
    await expect(
      waitFor(
        () => {
          seen += 1;
          return false;
        },
        () => `the impossible (asked ${seen > 1 ? "more than once" : "once"})`,
        { timeoutMs: 20, intervalMs: 1 },
      ),
    ).rejects.toThrow("never happened within 20 ms: the impossible (asked more than once)");
  });

  it("fails at once with the error the condition throws", async () => {
    let asked = 0;
    const failing = waitFor(() => {
      asked += 1;
      throw new TypeError("broken probe");
    }, "anything");
    await expect(failing).rejects.toThrow(TypeError);
    expect(asked).toBe(1);
  });
});
