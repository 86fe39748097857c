// Host work a guest call starts and the host finishes later (pbkdf2's and scrypt's callback forms,
// on Node's thread pool): each waits here under an id until the host's workSettled entry brings its
// bytes or its error. Bundles reach it through a global symbol, as they reach require.

import { nodeErrorOf } from "./native-error.js";

type Waiting = { resolve(bytes: ArrayBuffer): void; reject(error: unknown): void };

const waiting = new Map<number, Waiting>();
let nextId = 1;

/** Calls `start(id)` (which throws Node's argument errors at once), then waits for the host. */
export function hostWork(start: (id: number) => void): Promise<ArrayBuffer> {
  const id = nextId++;
  start(id);
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

export const HOST_WORK = Symbol.for("isolambda.hostWork");

export function installHostWork(): void {
  Object.defineProperty(globalThis, HOST_WORK, { value: hostWork });
}

/** The host's answer for `id`: an error as data in JSON (name, message, code, ...), or the bytes. */
export function workSettled(id: number, errorJson: string | undefined, result: ArrayBuffer | undefined): void {
  const entry = waiting.get(id);
  if (entry === undefined) return;
  waiting.delete(id);
  if (errorJson === undefined) {
    entry.resolve(result ?? new ArrayBuffer(0));
    return;
  }
  // The host's error as data (executor/native/guest-values.ts errorData), thrown as Node's class, as a host call's is.
  const { name, message, ...fields } = JSON.parse(errorJson) as { name: string; message: string };
  const error = Object.assign(new Error(message), fields, { name });
  entry.reject(nodeErrorOf(error));
}
