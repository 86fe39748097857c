;; A handler that never returns: only terminating its executor stops it.
(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "handle") (param i32) (result i32)
    (loop $forever (br $forever))
    (i32.const 0)))
