// What each bundle under builtins/ gives when loaded: its module's exports, by the bundle's name.
// The bundles are built and evaluated apart from the bootstrap; their types are read from source.

export interface BuiltinModules {
  abort: typeof import("./builtins/abort.js");
  assert: typeof import("./builtins/assert.js");
  "async-hooks": typeof import("./builtins/async-hooks.js");
  blob: typeof import("./builtins/blob.js");
  buffer: typeof import("./builtins/buffer.js");
  "call-sites": typeof import("./builtins/call-sites.js");
  console: typeof import("./builtins/console.js");
  "crypto-aes": typeof import("./builtins/crypto-aes.js");
  "crypto-keys": typeof import("./builtins/crypto-keys.js");
  crypto: typeof import("./builtins/crypto.js");
  "diagnostics-channel": typeof import("./builtins/diagnostics-channel.js");
  "dom-exception": typeof import("./builtins/dom-exception.js");
  encoding: typeof import("./builtins/encoding.js");
  events: typeof import("./builtins/events.js");
  fetch: typeof import("./builtins/fetch.js");
  "form-data": typeof import("./builtins/form-data.js");
  format: typeof import("./builtins/format.js");
  fs: typeof import("./builtins/fs.js");
  "http-outgoing": typeof import("./builtins/http-outgoing.js");
  http: typeof import("./builtins/http.js");
  inspect: typeof import("./builtins/inspect.js");
  intl: typeof import("./builtins/intl.js");
  "json-log": typeof import("./builtins/json-log.js");
  messaging: typeof import("./builtins/messaging.js");
  module: typeof import("./builtins/module.js");
  "node-builtins": typeof import("./builtins/node-builtins.js");
  os: typeof import("./builtins/os.js");
  "parse-args": typeof import("./builtins/parse-args.js");
  path: typeof import("./builtins/path.js");
  performance: typeof import("./builtins/performance.js");
  punycode: typeof import("./builtins/punycode.js");
  querystring: typeof import("./builtins/querystring.js");
  "response-stream": typeof import("./builtins/response-stream.js");
  snapstart: typeof import("./builtins/snapstart.js");
  sockets: typeof import("./builtins/sockets.js");
  stdio: typeof import("./builtins/stdio.js");
  "stream-web": typeof import("./builtins/stream-web.js");
  stream: typeof import("./builtins/stream.js");
  "string-decoder": typeof import("./builtins/string-decoder.js");
  "structured-clone": typeof import("./builtins/structured-clone.js");
  "style-text": typeof import("./builtins/style-text.js");
  "timers-promises": typeof import("./builtins/timers-promises.js");
  "url-legacy": typeof import("./builtins/url-legacy.js");
  url: typeof import("./builtins/url.js");
  util: typeof import("./builtins/util.js");
  "web-globals": typeof import("./builtins/web-globals.js");
  zlib: typeof import("./builtins/zlib.js");
}

export type BuiltinName = keyof BuiltinModules;

/**
 * Loads a bundle once per environment. A bundle asked for while it is itself being evaluated
 * answers undefined (see lazy.ts), which only the globals it defines meet.
 */
export type Builtin = <K extends BuiltinName>(name: K) => BuiltinModules[K];
