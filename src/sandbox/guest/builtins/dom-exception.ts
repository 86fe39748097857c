// DOMException as Node defines it (lib/internal/per_context/domexception.js): not a subclass of
// Error but an object whose prototype's parent is Error.prototype, with name, message and code as
// prototype getters (the instance owns only its stack, and a cause when given one), and the legacy
// code constants on the class and its prototype. AbortSignal's reasons, structuredClone's and Web
// Crypto's errors are DOMExceptions in Node, so they are here.

/** The legacy codes, by the names that have one; every other name's code is 0. */
const CODES: readonly (readonly [name: string, constant: string])[] = [
  ["IndexSizeError", "INDEX_SIZE_ERR"],
  ["DOMStringSizeError", "DOMSTRING_SIZE_ERR"],
  ["HierarchyRequestError", "HIERARCHY_REQUEST_ERR"],
  ["WrongDocumentError", "WRONG_DOCUMENT_ERR"],
  ["InvalidCharacterError", "INVALID_CHARACTER_ERR"],
  ["NoDataAllowedError", "NO_DATA_ALLOWED_ERR"],
  ["NoModificationAllowedError", "NO_MODIFICATION_ALLOWED_ERR"],
  ["NotFoundError", "NOT_FOUND_ERR"],
  ["NotSupportedError", "NOT_SUPPORTED_ERR"],
  ["InUseAttributeError", "INUSE_ATTRIBUTE_ERR"],
  ["InvalidStateError", "INVALID_STATE_ERR"],
  ["SyntaxError", "SYNTAX_ERR"],
  ["InvalidModificationError", "INVALID_MODIFICATION_ERR"],
  ["NamespaceError", "NAMESPACE_ERR"],
  ["InvalidAccessError", "INVALID_ACCESS_ERR"],
  ["ValidationError", "VALIDATION_ERR"],
  ["TypeMismatchError", "TYPE_MISMATCH_ERR"],
  ["SecurityError", "SECURITY_ERR"],
  ["NetworkError", "NETWORK_ERR"],
  ["AbortError", "ABORT_ERR"],
  ["URLMismatchError", "URL_MISMATCH_ERR"],
  ["QuotaExceededError", "QUOTA_EXCEEDED_ERR"],
  ["TimeoutError", "TIMEOUT_ERR"],
  ["InvalidNodeTypeError", "INVALID_NODE_TYPE_ERR"],
  ["DataCloneError", "DATA_CLONE_ERR"],
];
const codeOf = new Map(CODES.map(([name], index) => [name, index + 1]));

const internals = new WeakMap<object, { name: string; message: string }>();

function fieldsOf(self: unknown): { name: string; message: string } {
  const fields = internals.get(self as object);
  if (fields === undefined) {
    throw Object.assign(new TypeError('Value of "this" must be of DOMException'), { code: "ERR_INVALID_THIS" });
  }
  return fields;
}

export class DOMException {
  constructor(message: unknown = "", options: unknown = "Error") {
    const named = options !== null && typeof options === "object";
    internals.set(this, { message: `${message}`, name: `${named ? (options as { name?: unknown }).name : options}` });
    // After the fields, whose name and message head the stack; before the cause, as Node's own.
    Error.captureStackTrace(this, DOMException as unknown as AnyFunction);
    if (named && "cause" in options) {
      Object.defineProperty(this, "cause", { value: (options as { cause?: unknown }).cause, configurable: true, writable: true });
    }
  }
  get name(): string {
    return fieldsOf(this).name;
  }
  get message(): string {
    return fieldsOf(this).message;
  }
  get code(): number {
    return codeOf.get(fieldsOf(this).name) ?? 0;
  }
}

Object.setPrototypeOf(DOMException.prototype, Error.prototype);
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
for (const key of ["name", "message", "code"]) {
  Object.defineProperty(DOMException.prototype, key, { ...Object.getOwnPropertyDescriptor(DOMException.prototype, key), enumerable: true });
}
for (const [name, constant] of CODES) {
  const descriptor = { value: codeOf.get(name), enumerable: true };
  Object.defineProperty(DOMException, constant, descriptor);
  Object.defineProperty(DOMException.prototype, constant, descriptor);
}
