;; A core module that imports fd_write with another type than preview 1's: refused at link time (exit 4) before any
;; call could hand the host arguments of the wrong width.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
