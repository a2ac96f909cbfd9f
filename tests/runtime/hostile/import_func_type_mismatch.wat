;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; A core module importing (func (param i32)) is instantiated with a () -> (i32) function.
(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "f") (result i32) (i32.const 0))
    (func (export "takes-i32") (param i32))
    (func (export "takes-two") (param i32 i32))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "f" (core func $f))
  (core instance $env (export "x" (func $f)))
  (core module $n (import "env" "x" (func (param i32))) (func (export "g") (result i32) (i32.const 0)))
  (core instance $j (instantiate $n (with "env" (instance $env))))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $j "g")))
)
