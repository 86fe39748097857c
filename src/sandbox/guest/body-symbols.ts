// How the fetch bundle's Request and Response reach what other bundles hold, by symbols of the global
// registry (each bundle has its own copy of this file): a Blob's bytes, a FormData's multipart form.

/** A Blob's method answering a copy of its bytes, at once (Blob's own readers are async). */
export const BLOB_BYTES = Symbol.for("isolambda.blobBytes");
/** A FormData's method answering its multipart/form-data body: `{ bytes, type }`. */
export const MULTIPART = Symbol.for("isolambda.multipart");
/** FormData's static function making one from a body's bytes and its content type (or throwing Node's TypeError). */
export const PARSE_FORM = Symbol.for("isolambda.parseForm");
