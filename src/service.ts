/**
 * A part of the running server with a lifetime: started in order, closed in reverse, each once,
 * as Miniflare's plugins are. The registry, the sandbox and the warm pool come first; the Lambda
 * API's listener, SQS, the doors, async dispatch, the event source pollers and the scheduler
 * follow, so closing stops taking work before it waits for what is running.
 */

/** A started service that closes: a listener or a loop. */
export interface Closing {
  close(): void | Promise<void>;
}

/** A started service: one that closes, or an object with a disposable lifetime (the sandbox, the warm pool). */
export type Running = Closing | AsyncDisposable | Disposable;

function end(running: Running): void | PromiseLike<void> {
  if (Symbol.asyncDispose in running) return running[Symbol.asyncDispose]();
  if (Symbol.dispose in running) return running[Symbol.dispose]();
  return running.close();
}

export interface Service<Context = void, Started extends Running = Running> {
  start(context: Context): Started | Promise<Started>;
}

/** The services started so far, closed in reverse on close (or when a later one fails to start). */
export class Services {
  readonly #started: Array<{ name: string; running: Running }> = [];
  #closing: Promise<void> | undefined;

  /** `name` says which service failed to close, should one. */
  async start<Started extends Running>(name: string, service: Service<void, Started>): Promise<Started>;
  async start<Context, Started extends Running>(name: string, service: Service<Context, Started>, context: Context): Promise<Started>;
  async start<Context, Started extends Running>(name: string, service: Service<Context, Started>, context?: Context): Promise<Started> {
    if (this.#closing !== undefined) throw new Error(`isolambda: cannot start ${name}: the server is closing`);
    const running = await service.start(context as Context);
    this.#started.push({ name, running });
    return running;
  }

  /** False once close() has begun. */
  get alive(): boolean {
    return this.#closing === undefined;
  }

  /** Closes every started service, the last started first; each is closed even when one before it fails. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const failures: unknown[] = [];
      for (const { name, running } of this.#started.reverse()) {
        try {
          await end(running);
        } catch (error) {
          failures.push(new Error(`isolambda: closing ${name} failed`, { cause: error }));
        }
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, "isolambda: closing the server failed");
    })();
    return this.#closing;
  }
}
