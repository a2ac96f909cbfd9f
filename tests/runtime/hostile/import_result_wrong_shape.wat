;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:io/streams output-stream.flush declared to return result<u32> (the host's returns result<_, stream-error>).
(component
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (type $res (result u32))
    (export "[method]output-stream.flush" (func (param "self" (borrow $os)) (result $res)))))
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
