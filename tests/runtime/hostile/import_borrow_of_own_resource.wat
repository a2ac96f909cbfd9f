;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:io/streams output-stream.write-zeroes declared on a resource the component defines itself: a handle to it is
;; not a host output-stream.
(component
  (type $mine (resource (rep i32)))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $mine (type $os))
    (type $serr (variant (case "closed")))
    (type $res (result (error $serr)))
    (export "[method]output-stream.write-zeroes" (func (param "self" (borrow $os)) (param "len" u64) (result $res)))))
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
