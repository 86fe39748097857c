// MessageChannel, MessagePort, MessageEvent and BroadcastChannel within the environment's one
// thread. As in Node: a posted message is structuredClone'd at once (DataCloneError thrown to the
// poster) and delivered later, in the event loop's poll phase (timers.ts EVENT_LOOP): after the
// current code and its promise jobs, before due timers and immediates; a port drains its queue one
// message per turn, promise jobs running between, before the next port's. A port with a 'message'
// listener keeps the loop alive, unless unref'd, until it is closed; a BroadcastChannel from its
// construction. A transfer list's ArrayBuffers are copied and then detached; ports cannot be transferred.
import type { BuiltinModules } from "../builtin-modules.js";
import { EVENT_LOOP, type EventLoop, type LoopHold } from "../timers.js";

type Abort = BuiltinModules["abort"];
type Listener = Parameters<Abort["EventTarget"]["prototype"]["addEventListener"]>[1];
type ListenerOptions = Parameters<Abort["EventTarget"]["prototype"]["addEventListener"]>[2];

const typedError = (message: string, code: string) => Object.assign(new TypeError(message), { code });

/** What a port or channel has received and not yet dispatched, and whether it dispatches yet. */
interface Inbox {
  /** Its place among the environment's inboxes: Node goes through its ports in the order they were made. */
  readonly order: number;
  queue: unknown[];
  started: boolean;
  /** close() ran: once the queue is dispatched, the 'close' event is. */
  closing: boolean;
  /** Dispatches one message, or the close. */
  deliver(data: unknown): void;
  close(): void;
}

let made = 0;
const nextOrder = () => made++;

/** Inboxes with something to dispatch. */
const pending = new Set<Inbox>();
/** The poll phase's pass over the inboxes: where it stands, and whether a task of it is set. */
let passAt = 0;
let pumping = false;

const hasWork = (inbox: Inbox) => (inbox.started && inbox.queue.length > 0) || inbox.closing;

/** The first inbox from `order` on with something to dispatch. */
function nextInbox(order: number): Inbox | undefined {
  let next: Inbox | undefined;
  for (const inbox of pending) if (inbox.order >= order && (next === undefined || inbox.order < next.order)) next = inbox;
  return next;
}

function schedule(inbox: Inbox, loop: EventLoop): void {
  if (!hasWork(inbox)) return;
  pending.add(inbox);
  if (pumping) return;
  pumping = true;
  loop.poll(() => pump(loop), false);
}

/**
 * One message (or one close) per poll task, so the promise jobs of each run before the next. As
 * Node's poll phase, a pass goes through the inboxes in the order they were made, each dispatching
 * what it has and what its listeners post to it meanwhile; what an inbox already passed receives
 * waits for the next poll phase.
 */
function pump(loop: EventLoop): void {
  const inbox = nextInbox(passAt);
  try {
    if (inbox !== undefined) {
      passAt = inbox.order;
      if (inbox.started && inbox.queue.length > 0) inbox.deliver(inbox.queue.shift());
      else if (inbox.closing) inbox.close();
    }
  } finally {
    if (inbox !== undefined && !hasWork(inbox)) {
      pending.delete(inbox);
      passAt = inbox.order + 1;
    }
    const laterPhase = nextInbox(passAt) === undefined;
    if (laterPhase) passAt = 0;
    if (pending.size > 0) loop.poll(() => pump(loop), laterPhase);
    else pumping = false;
  }
}

/** The clone a receiver gets; the transfer list's ArrayBuffers are detached, as a transfer leaves them. */
function cloneForPost(message: unknown, transfer: unknown): unknown {
  const list = Array.isArray(transfer) ? transfer : ((transfer as { transfer?: unknown } | undefined)?.transfer ?? []);
  const data = structuredClone(message);
  for (const item of list as unknown[]) {
    if (item instanceof ArrayBuffer) (item as ArrayBuffer & { transfer?(): ArrayBuffer }).transfer?.();
    else throw new DOMException("Only ArrayBuffers can be transferred in isolambda's single thread", "DataCloneError");
  }
  return data;
}

interface MessageEventInit {
  data?: unknown;
  origin?: unknown;
  lastEventId?: unknown;
  source?: unknown;
  ports?: unknown[];
  bubbles?: boolean;
  cancelable?: boolean;
}

export function createMessaging(abort: Abort) {
  const { EventTarget, Event, getEventAttributeValue, setEventAttributeValue } = abort;
  const loop = (globalThis as unknown as Record<symbol, EventLoop>)[EVENT_LOOP] as EventLoop;

  class MessageEvent extends Event {
    readonly #data: unknown;
    readonly #origin: string;
    readonly #lastEventId: string;
    readonly #source: unknown;
    readonly #ports: readonly unknown[];
    constructor(type: unknown, init: MessageEventInit = {}) {
      super(`${type}`, init);
      const ports = init?.ports ?? [];
      ports.forEach((port, index) => {
        if (!(port instanceof MessagePort)) {
          throw typedError(
            `The "init.ports[${index}]" property must be an instance of MessagePort. Received type ${typeof port} (${String(port)})`,
            "ERR_INVALID_ARG_TYPE",
          );
        }
      });
      this.#data = init?.data ?? null;
      this.#origin = `${init?.origin ?? ""}`;
      this.#lastEventId = `${init?.lastEventId ?? ""}`;
      this.#source = init?.source ?? null;
      this.#ports = Object.freeze([...ports]);
    }
    get data() {
      return this.#data;
    }
    get origin() {
      return this.#origin;
    }
    get lastEventId() {
      return this.#lastEventId;
    }
    get source() {
      return this.#source;
    }
    get ports() {
      return this.#ports;
    }
  }

  const INTERNAL = Symbol("MessagePort");
  /** Entangles two new ports: MessageChannel's, set by MessagePort's static block. */
  let entangle: (a: MessagePort, b: MessagePort) => void;

  /** EventTarget with an `on<name>` attribute per event, as Node defines them. */
  const attribute = (proto: object, name: string) =>
    Object.defineProperty(proto, `on${name}`, {
      configurable: true,
      enumerable: true,
      get(this: InstanceType<typeof EventTarget>) {
        return getEventAttributeValue(this, name);
      },
      set(this: InstanceType<typeof EventTarget>, handler: unknown) {
        setEventAttributeValue(this, name, typeof handler === "function" ? (handler as Listener & object) : null);
      },
    });

  class MessagePort extends EventTarget {
    #other: MessagePort | undefined;
    readonly #hold: LoopHold = loop.hold();
    /** The 'message' listeners: the first one refs and starts the port, removing the last unrefs it. */
    readonly #listeners = new Set<unknown>();
    /** Node-style listeners (on, once) by the function given, with the wrapper registered. */
    readonly #wrappers = new Map<unknown, Listener>();
    #closed = false;
    readonly #inbox: Inbox;
    constructor(token?: unknown) {
      if (token !== INTERNAL) throw typedError("Constructor cannot be called", "ERR_CONSTRUCT_CALL_INVALID");
      super();
      this.#inbox = {
        order: nextOrder(),
        queue: [],
        started: false,
        closing: false,
        deliver: (data) => this.dispatchEvent(new MessageEvent("message", { data })),
        close: () => {
          this.#inbox.closing = false;
          this.dispatchEvent(new Event("close"));
        },
      };
    }
    static {
      entangle = (a, b) => {
        a.#other = b;
        b.#other = a;
      };
    }
    postMessage(message: unknown, transfer?: unknown): void {
      const data = cloneForPost(message, transfer);
      const other = this.#other;
      if (this.#closed || other === undefined || other.#closed) return;
      other.#inbox.queue.push(data);
      if (other.#inbox.started) schedule(other.#inbox, loop);
    }
    start(): void {
      if (this.#closed || this.#inbox.started) return;
      this.#inbox.started = true;
      if (this.#inbox.queue.length > 0) schedule(this.#inbox, loop);
    }
    /** Closes both ports: what was posted before is still dispatched, then each port's 'close'. */
    close(): void {
      for (const port of [this, this.#other]) {
        if (port === undefined || port.#closed) continue;
        port.#closed = true;
        port.#hold.unref();
        port.#inbox.closing = true;
        schedule(port.#inbox, loop);
      }
    }
    ref(): void {
      if (!this.#closed) this.#hold.ref();
    }
    unref(): void {
      this.#hold.unref();
    }
    hasRef(): boolean {
      return this.#hold.hasRef();
    }
    override addEventListener(type: string, listener: Listener, options?: ListenerOptions): void {
      super.addEventListener(type, listener, options);
      if (type === "message" && listener != null) this.#listening(listener, true);
    }
    override removeEventListener(type: string, listener: Listener, options?: boolean | { capture?: boolean }): void {
      super.removeEventListener(type, listener, options);
      if (type === "message") this.#listening(listener, false);
    }
    #listening(listener: unknown, added: boolean): void {
      const before = this.#listeners.size;
      if (added) this.#listeners.add(listener);
      else this.#listeners.delete(listener);
      if (before === 0 && this.#listeners.size === 1) {
        this.ref();
        this.start();
      } else if (before > 0 && this.#listeners.size === 0) this.unref();
    }
    /** Node's NodeEventTarget: a 'message' listener given to on() receives the data, another the event. */
    on(type: string, listener: (value: unknown) => void, once = false): this {
      const wrapper = (event: InstanceType<typeof Event>) => {
        if (once) this.off(type, listener);
        listener.call(this, type === "message" ? (event as MessageEvent).data : event);
      };
      this.#wrappers.set(listener, wrapper);
      this.addEventListener(type, wrapper);
      return this;
    }
    once(type: string, listener: (value: unknown) => void): this {
      return this.on(type, listener, true);
    }
    off(type: string, listener: (value: unknown) => void): this {
      const wrapper = this.#wrappers.get(listener);
      if (wrapper !== undefined) {
        this.#wrappers.delete(listener);
        this.removeEventListener(type, wrapper);
      }
      return this;
    }
  }
  Object.assign(MessagePort.prototype, { addListener: MessagePort.prototype.on, removeListener: MessagePort.prototype.off });
  attribute(MessagePort.prototype, "messageerror");
  // Setting onmessage adds or removes a 'message' listener: it refs and starts the port as one does.
  Object.defineProperty(MessagePort.prototype, "onmessage", {
    configurable: true,
    enumerable: true,
    get(this: MessagePort) {
      return getEventAttributeValue(this, "message");
    },
    set(this: MessagePort, handler: unknown) {
      const before = getEventAttributeValue(this, "message");
      const next = typeof handler === "function" ? (handler as Listener & object) : null;
      setEventAttributeValue(this, "message", next);
      if (before === null && next !== null) this.addEventListener("message", ATTRIBUTE_MARK);
      if (before !== null && next === null) this.removeEventListener("message", ATTRIBUTE_MARK);
    },
  });
  // Stands for the onmessage attribute among the listeners counted (it is never called).
  const ATTRIBUTE_MARK = () => {};

  class MessageChannel {
    readonly port1 = new MessagePort(INTERNAL);
    readonly port2 = new MessagePort(INTERNAL);
    constructor() {
      entangle(this.port1, this.port2);
    }
  }

  /** Each environment's channels by name. */
  const channels = new Map<string, Set<BroadcastChannel>>();

  class BroadcastChannel extends EventTarget {
    readonly #name: string;
    readonly #hold: LoopHold = loop.hold();
    #closed = false;
    readonly #inbox: Inbox;
    constructor(...args: [name?: unknown]) {
      if (args.length === 0) throw typedError('The "name" argument must be specified', "ERR_MISSING_ARGS");
      super();
      this.#name = `${args[0]}`;
      this.#inbox = {
        order: nextOrder(),
        queue: [],
        started: true,
        closing: false,
        deliver: (data) => this.dispatchEvent(new MessageEvent("message", { data })),
        close: () => {},
      };
      const group = channels.get(this.#name) ?? new Set();
      group.add(this);
      channels.set(this.#name, group);
      this.#hold.ref();
    }
    get name(): string {
      return this.#name;
    }
    postMessage(message: unknown): void {
      if (this.#closed) throw new DOMException("BroadcastChannel is closed.", "InvalidStateError");
      const data = structuredClone(message);
      for (const other of channels.get(this.#name) ?? []) {
        if (other === this) continue;
        other.#inbox.queue.push(structuredClone(data));
        schedule(other.#inbox, loop);
      }
    }
    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#hold.unref();
      this.#inbox.queue.length = 0;
      channels.get(this.#name)?.delete(this);
    }
    ref(): this {
      if (!this.#closed) this.#hold.ref();
      return this;
    }
    unref(): this {
      this.#hold.unref();
      return this;
    }
  }
  attribute(BroadcastChannel.prototype, "message");
  attribute(BroadcastChannel.prototype, "messageerror");

  return { MessageChannel, MessagePort, MessageEvent, BroadcastChannel };
}
