/**
 * WASI 0.2 as a component function sees it: isolambda implements every interface itself, so a
 * component reaches nothing of the host. stdout and stderr go to the invocation's logs, the
 * environment holds the function's Lambda variables only, clocks and randomness are real; the
 * file system has no preopened directory and every socket is refused.
 */
import { randomBytes } from "node:crypto";

export interface WasiHost {
  env: Record<string, string>;
  /** Text a stream wrote, as written (stdout and stderr lines keep no level). */
  write(text: string): void;
  /** Called by wasi:cli/exit; throws to unwind the component. */
  exit(code: number): never;
}

/** What a WASI call reports as its error: a variant or enum value, never a JS Error (jco passes those on). */
type WasiError = { tag: string; val?: unknown } | string;
function refuse(error: WasiError): never {
  throw error;
}

/** A synchronous sleep: the component blocks its executor anyway, as a blocking call in Lambda does. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepUntil(instantNs: bigint): void {
  const ms = Number(instantNs - process.hrtime.bigint()) / 1e6;
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

class Pollable {
  constructor(readonly readyAt = 0n) {}
  ready(): boolean {
    return process.hrtime.bigint() >= this.readyAt;
  }
  block(): void {
    sleepUntil(this.readyAt);
  }
}

class IoError {
  constructor(readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

/** No stream can be read: stdin is empty and nothing else makes input streams. */
class InputStream {
  read(): never {
    return refuse({ tag: "closed" });
  }
  blockingRead(): never {
    return refuse({ tag: "closed" });
  }
  skip(): never {
    return refuse({ tag: "closed" });
  }
  blockingSkip(): never {
    return refuse({ tag: "closed" });
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** Lambda's CloudWatch event limit; a component may write any amount in pieces of this size. */
const WRITE_BUDGET = 256n * 1024n;

class OutputStream {
  readonly #decoder = new TextDecoder();
  constructor(readonly sink: (text: string) => void) {}
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    this.sink(this.#decoder.decode(contents, { stream: true }));
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(length: bigint): void {
    this.write(new Uint8Array(Number(length)));
  }
  blockingWriteZeroesAndFlush(length: bigint): void {
    this.writeZeroes(length);
  }
  splice(): never {
    return refuse({ tag: "closed" });
  }
  blockingSplice(): never {
    return refuse({ tag: "closed" });
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

class TerminalInput {}
class TerminalOutput {}

/** Resources a component could only get from a preopened directory or a socket, which it never has. */
class Descriptor {}
class DirectoryEntryStream {}
class Network {}
class TcpSocket {}
class UdpSocket {}
class IncomingDatagramStream {}
class OutgoingDatagramStream {}
class ResolveAddressStream {}

function wallClock(): { seconds: bigint; nanoseconds: number } {
  const ms = Date.now();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
}

function u64(): bigint {
  return randomBytes(8).readBigUInt64LE();
}

/** The imports, by interface name without version, as a jco-transpiled component asks for them. */
export function wasiImports(host: WasiHost): Record<string, Record<string, unknown>> {
  const stdout = new OutputStream((text) => host.write(text));
  const stderr = new OutputStream((text) => host.write(text));
  const stdin = new InputStream();
  return {
    "wasi:cli/environment": {
      getEnvironment: () => Object.entries(host.env),
      getArguments: () => [],
      initialCwd: () => undefined,
    },
    "wasi:cli/exit": {
      exit: (status: { tag: string }) => host.exit(status.tag === "ok" ? 0 : 1),
      exitWithCode: (code: number) => host.exit(code),
    },
    "wasi:cli/stdin": { getStdin: () => stdin },
    "wasi:cli/stdout": { getStdout: () => stdout },
    "wasi:cli/stderr": { getStderr: () => stderr },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => undefined },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => undefined },
    "wasi:clocks/wall-clock": { now: wallClock, resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }) },
    "wasi:clocks/monotonic-clock": {
      now: () => process.hrtime.bigint(),
      resolution: () => 1n,
      subscribeInstant: (when: bigint) => new Pollable(when),
      subscribeDuration: (duration: bigint) => new Pollable(process.hrtime.bigint() + duration),
    },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": {
      Pollable,
      poll: (pollables: Pollable[]) => {
        const earliest = pollables.reduce((at, p) => (p.readyAt < at ? p.readyAt : at), pollables[0]?.readyAt ?? 0n);
        sleepUntil(earliest);
        return new Uint32Array(pollables.flatMap((p, i) => (p.ready() ? [i] : [])));
      },
    },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:random/random": { getRandomBytes: (length: bigint) => new Uint8Array(randomBytes(Number(length))), getRandomU64: u64 },
    "wasi:random/insecure": {
      getInsecureRandomBytes: (length: bigint) => new Uint8Array(randomBytes(Number(length))),
      getInsecureRandomU64: u64,
    },
    "wasi:random/insecure-seed": { insecureSeed: () => [u64(), u64()] },
    // No preopened directory: there is no path by which a component could name a host file.
    "wasi:filesystem/preopens": { getDirectories: () => [] },
    "wasi:filesystem/types": { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined },
    "wasi:sockets/network": { Network },
    "wasi:sockets/instance-network": { instanceNetwork: () => new Network() },
    "wasi:sockets/tcp": { TcpSocket },
    "wasi:sockets/tcp-create-socket": { createTcpSocket: () => refuse("access-denied") },
    "wasi:sockets/udp": { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    "wasi:sockets/udp-create-socket": { createUdpSocket: () => refuse("access-denied") },
    "wasi:sockets/ip-name-lookup": { ResolveAddressStream, resolveAddresses: () => refuse("access-denied") },
  };
}

/** The WASI interfaces a component may import; anything else is refused at deploy. */
export const WASI_INTERFACES: readonly string[] = Object.keys(wasiImports({ env: {}, write: () => {}, exit: () => refuse("unreachable") }));
