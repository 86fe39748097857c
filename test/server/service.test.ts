/** Services start in order and close in reverse, each once, through the interface the server uses. */
import { describe, expect, it } from "vitest";
import { type Service, Services } from "../../src/service.js";

function recorder() {
  const events: string[] = [];
  const service = (name: string, fails?: "start" | "close"): Service => ({
    start: async () => {
      if (fails === "start") throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
      return {
        close: async () => {
          events.push(`close ${name}`);
          if (fails === "close") throw new Error(`${name} cannot close`);
        },
      };
    },
  });
  return { events, service };
}

describe("services", () => {
  it("close in reverse order of starting, once however often close is called", async () => {
    const { events, service } = recorder();
    const services = new Services();
    for (const name of ["registry", "sandbox", "listener"]) await services.start(name, service(name));
    await Promise.all([services.close(), services.close()]);
    await services.close();
    expect(events).toEqual(["start registry", "start sandbox", "start listener", "close listener", "close sandbox", "close registry"]);
  });

  it("end a disposable service (the sandbox, the warm pool) through its dispose symbol, and say when closing has begun", async () => {
    const events: string[] = [];
    const services = new Services();
    await services.start("sandbox", { start: () => ({ [Symbol.asyncDispose]: async () => void events.push("sandbox disposed") }) });
    await services.start("pool", { start: () => ({ [Symbol.dispose]: () => void events.push("pool disposed") }) });
    expect(services.alive).toBe(true);
    const closing = services.close();
    expect(services.alive).toBe(false);
    await closing;
    expect(events).toEqual(["pool disposed", "sandbox disposed"]);
  });

  it("hand the started value and its context through", async () => {
    const services = new Services();
    const started = await services.start("doors", { start: (ports: number[]) => ({ ports, close: () => {} }) }, [8080, 8081]);
    expect(started.ports).toEqual([8080, 8081]);
    await services.close();
  });

  it("close every service even when one fails to close, then report which", async () => {
    const { events, service } = recorder();
    const services = new Services();
    await services.start("registry", service("registry"));
    await services.start("listener", service("listener", "close"));
    await services.start("doors", service("doors"));
    await expect(services.close()).rejects.toThrow("isolambda: closing listener failed");
    expect(events.slice(3)).toEqual(["close doors", "close listener", "close registry"]);
  });

  it("refuse to start once closing began", async () => {
    const { service } = recorder();
    const services = new Services();
    await services.close();
    await expect(services.start("late", service("late"))).rejects.toThrow("cannot start late: the server is closing");
  });

  it("leave a service that failed to start out of closing", async () => {
    const { events, service } = recorder();
    const services = new Services();
    await services.start("registry", service("registry"));
    await expect(services.start("listener", service("listener", "start"))).rejects.toThrow("listener cannot start");
    await services.close();
    expect(events).toEqual(["start registry", "close registry"]);
  });
});
