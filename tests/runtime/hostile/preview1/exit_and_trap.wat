;; proc_exit(n) ends the run with status n (the argument count picks n: 33 with no arguments, 300 with one); with
;; two arguments the module traps instead (status 3).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 3)) (then unreachable))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 2)) (then (call $proc_exit (i32.const 300))))
    (call $proc_exit (i32.const 33))
    unreachable))
