// The socket a request of node:http's client emits, a stand-in: the host's fetch owns the real
// connection. It carries what libraries ask of a socket (setTimeout, setNoDelay, setKeepAlive,
// destroy), and Node's idle timeout, which a request's own setTimeout listens for.

/** node:events' EventEmitter, as far as the socket uses it. */
interface Emitter {
  once(event: string, listener: () => void): this;
  removeListener(event: string, listener: () => void): this;
  emit(event: string, ...args: unknown[]): boolean;
}

/** What a request needs of its socket. */
export interface StandInSocket {
  _httpMessage: object | null;
  destroyed: boolean;
  setTimeout(ms: number, callback?: () => void): unknown;
  /** Activity: the idle timeout, if set, starts again. */
  _unrefTimer(): void;
  once(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
}

/** How a stand-in socket's destroy() reaches the request it carries. */
export const kSocketDestroyed = Symbol("kSocketDestroyed");

/** What OutgoingMessage's own code asks of a socket. */
export interface OutgoingMessageSocket {
  write(data: string | Uint8Array, encoding?: string, callback?: ((error?: unknown) => void) | null): boolean;
}

export function createSocketClass(EventEmitter: new () => Emitter, defaultProtocol: string) {
  /** Its idle timeout: 'timeout' after so long without activity (the request sent, the answer come). */
  class Socket extends EventEmitter {
    declare remoteAddress: string;
    declare remotePort: number | undefined;
    declare connecting: boolean;
    declare destroyed: boolean;
    declare encrypted: boolean;
    declare timeout: number;
    declare _httpMessage: object | null;
    #timer: GuestTimeout | undefined;
    constructor(remoteAddress: string, remotePort: unknown) {
      super();
      this.remoteAddress = remoteAddress;
      this.remotePort = Number(remotePort) || undefined;
      this.connecting = false;
      this.destroyed = false;
      this.encrypted = defaultProtocol === "https:";
      this.timeout = 0;
      this._httpMessage = null;
    }
    setTimeout(ms: number, callback?: () => void) {
      this.timeout = ms;
      if (ms === 0 && callback) this.removeListener("timeout", callback);
      else if (callback) this.once("timeout", callback);
      this._unrefTimer();
      return this;
    }
    _unrefTimer() {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      if (this.timeout > 0 && !this.destroyed)
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.emit("timeout");
        }, this.timeout);
    }
    setNoDelay() {
      return this;
    }
    setKeepAlive() {
      return this;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    destroy(error?: unknown) {
      if (this.destroyed) return this;
      this.destroyed = true;
      this._unrefTimer();
      (this._httpMessage as { [kSocketDestroyed]?(error: unknown): void } | null)?.[kSocketDestroyed]?.(error);
      return this;
    }
  }
  return Socket;
}
