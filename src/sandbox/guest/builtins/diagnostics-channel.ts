// node:diagnostics_channel: Datadog's dc-polyfill (a reimplementation of Node's module with its
// later fixes). Libraries such as undici, fastify and pino require it when they load.
export { default } from "dc-polyfill";
