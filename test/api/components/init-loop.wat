;; An INIT that never returns: the core module's start function loops, and nothing interrupts a
;; component, so only terminating its executor stops it.
(module
  (memory (export "memory") 1)
  (func $forever (loop $again (br $again)))
  (start $forever)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "handle") (param i32) (result i32) (i32.const 0)))
