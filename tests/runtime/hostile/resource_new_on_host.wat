;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; canon resource.new on the host's wasi:io output-stream: it would forge handles to host objects.
(component
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "output-stream" (type (sub resource)))))
  (alias export $streams "output-stream" (type $os))
  (core func $forge (canon resource.new $os))
  (core module $m
    (memory (export "mem") 1)
    (func (export "f") (result i32) (i32.const 0))
    (func (export "takes-i32") (param i32))
    (func (export "takes-two") (param i32 i32))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (core instance $forged (export "new" (func $forge)))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "f")))
)
