;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:cli/exit.exit imported as func() (the host's takes `status: result`): the host would read an argument the
;; guest never passed (SIGSEGV before host functions had types). run calls it.
(component
  (import "wasi:cli/exit@0.2.0" (instance $exit (export "exit" (func))))
  (alias export $exit "exit" (func $exit_fn))
  (core func $exit_lowered (canon lower (func $exit_fn)))
  (core module $m
    (import "host" "exit" (func $exit))
    (func (export "run") (result i32) (call $exit) (i32.const 0)))
  (core instance $host (export "exit" (func $exit_lowered)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
