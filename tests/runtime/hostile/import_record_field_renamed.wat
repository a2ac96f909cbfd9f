;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:clocks/wall-clock.now returning a record of the right shape whose first field is named `secs`, not
;; `seconds`: names are part of a record type (component-model type equality), so it is a different type.
(component
  (import "wasi:clocks/wall-clock@0.2.0" (instance $clock
    (type $dt (record (field "secs" u64) (field "nanoseconds" u32)))
    (export "datetime" (type $dt2 (eq $dt)))
    (export "now" (func (result $dt2)))))
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
