;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:clocks/monotonic-clock.now imported with a parameter it does not have.
(component
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock (export "now" (func (param "extra" u32) (result u64)))))
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
