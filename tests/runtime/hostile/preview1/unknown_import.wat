;; A core module that imports a wasi_snapshot_preview1 function that does not exist: refused at link time (exit 4).
(module
  (import "wasi_snapshot_preview1" "fd_launch_missiles" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
