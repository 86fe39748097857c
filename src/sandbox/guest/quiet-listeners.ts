// The listener methods of an emitter whose events never happen here (process, the stdio streams):
// they keep nothing and chain, as Node's do, so a library that subscribes goes on. Each bundle that
// uses them (the bootstrap, stdio) holds its own copy of these few lines.
export const quietListeners = {
  on<T>(this: T): T {
    return this;
  },
  once<T>(this: T): T {
    return this;
  },
  off<T>(this: T): T {
    return this;
  },
  removeListener<T>(this: T): T {
    return this;
  },
};
