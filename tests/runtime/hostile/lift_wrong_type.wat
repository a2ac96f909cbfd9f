;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; run is lifted from a core function of another type than run's flattened signature () -> (i32).
(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "f") (result i32) (i32.const 0))
    (func (export "takes-i32") (param i32))
    (func (export "takes-two") (param i32 i32))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "takes-i32")))
)
