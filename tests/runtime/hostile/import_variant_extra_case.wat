;; A hostile component (issue 17): assembled with `jco parse` (no validation), linked by weft-runtime, which must
;; refuse it with exit 4 and a message naming what is wrong.
;; wasi:http/types outgoing-request.set-method declared with an 11th method case: the host maps the case index into
;; its table of 9 method names (plus `other`), and would read past it.
(component
  (import "wasi:http/types@0.2.0" (instance $http
    (export "outgoing-request" (type $req (sub resource)))
    (type $method (variant (case "get") (case "head") (case "post") (case "put") (case "delete") (case "connect")
                          (case "options") (case "trace") (case "patch") (case "other" string) (case "brew")))
    (export "method" (type $method2 (eq $method)))
    (type $res (result))
    (export "[method]outgoing-request.set-method"
      (func (param "self" (borrow $req)) (param "method" $method2) (result $res)))))
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $run_result (result))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
  (func $run (result $run_result) (canon lift (core func $i "run")))
)
