// Node's http classes are functions, and libraries older than classes call them on an object of
// their own: light-my-request (fastify's inject, and so @fastify/aws-lambda) runs
// `http.ServerResponse.call(this, req)`, which a class refuses. So each such class is a function
// whose prototype is the class body's (methods, getters), and `extends` still works on it.

/**
 * A constructor function named `name` that runs `init` on `this`; `Body` (a class extending the
 * base, without a constructor of its own) gives its prototype and its static inheritance.
 */
export function functionClass<T extends object, A extends unknown[]>(
  name: string,
  Body: abstract new (...args: never[]) => T,
  init: (this: T, ...args: A) => void,
): new (
  ...args: A
) => T {
  const Constructor = function (this: T, ...args: A) {
    init.apply(this, args);
  };
  Object.defineProperty(Constructor, "name", { value: name });
  Object.defineProperty(Constructor, "length", { value: init.length });
  Constructor.prototype = Body.prototype;
  Object.defineProperty(Body.prototype, "constructor", { value: Constructor, writable: true, configurable: true });
  Object.setPrototypeOf(Constructor, Object.getPrototypeOf(Body));
  return Constructor as unknown as new (
    ...args: A
  ) => T;
}
