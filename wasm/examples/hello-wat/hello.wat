;; The smallest isolambda function: a core module written by hand against the canonical ABI of
;; the handler world (../../wit/handler.wit). build.mjs parses it, embeds the world and wraps it
;; into a component with jco's wasm-tools.
(module
  ;; runtime.log(level, message): the enum as i32, the string as pointer and length.
  (import "isolambda:function/runtime@0.1.0" "log" (func $log (param i32 i32 i32)))

  (memory (export "memory") 1)

  ;; The response, at a fixed address.
  (data (i32.const 64) "{\"statusCode\":200,\"headers\":{\"content-type\":\"text/plain\"},\"body\":\"hello from WAT\"}")
  (global $response_len i32 (i32.const 82))

  ;; Everything the host allocates lives above this address and is dropped after each call.
  (global $heap_base i32 (i32.const 1024))
  (global $heap (mut i32) (i32.const 1024))

  ;; The canonical ABI's allocator: a bump allocator that grows memory as needed.
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.div_u (i32.add (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65535)) (i32.const 65536)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; handle(event, context): more than 16 flat parameters, so the host passes a pointer to them;
  ;; the event string is first (pointer at +0, length at +4).
  (func (export "handle") (param $args i32) (result i32)
    ;; level 2 = info
    (call $log (i32.const 2) (i32.load (local.get $args)) (i32.load offset=4 (local.get $args)))
    ;; result<string, function-error> at address 16: tag 0 (ok), then the string.
    (i32.store8 (i32.const 16) (i32.const 0))
    (i32.store offset=4 (i32.const 16) (i32.const 64))
    (i32.store offset=8 (i32.const 16) (global.get $response_len))
    (i32.const 16))

  ;; Called once the host has read the result: the invocation's allocations are no longer needed.
  (func (export "cabi_post_handle") (param i32)
    (global.set $heap (global.get $heap_base)))
)
