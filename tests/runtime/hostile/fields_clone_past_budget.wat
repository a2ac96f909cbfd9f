;; A hostile component (issue 17) for wasi:http fields, the host-side header store: it appends one 60 000-byte header
;; to a fields and clones that fields 1 000 times, keeping every clone. Each clone is a host copy, so without a budget
;; the runtime holds 60 MB of header bytes for a guest of one page. The host must refuse the clone that would take all
;; live fields past 16 MiB: a trap naming the budget (clone has no error case). Should every clone succeed, run
;; returns ok and the runtime exits 0 — the test fails on that.
(component
  (import "wasi:http/types@0.2.0" (instance $http
    (export "fields" (type $fields (sub resource)))
    (type $herr (variant (case "invalid-syntax") (case "forbidden") (case "immutable")))
    (export "header-error" (type $herr2 (eq $herr)))
    (type $append_res (result (error $herr2)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[method]fields.append"
      (func (param "self" (borrow $fields)) (param "name" string) (param "value" (list u8)) (result $append_res)))
    (export "[method]fields.clone" (func (param "self" (borrow $fields)) (result (own $fields))))))
  (alias export $http "[constructor]fields" (func $new_fields))
  (alias export $http "[method]fields.append" (func $append))
  (alias export $http "[method]fields.clone" (func $clone))

  (core module $mem (memory (export "memory") 2))
  (core instance $mem_i (instantiate $mem))
  (alias core export $mem_i "memory" (core memory $memory))
  (core func $new_fields_lowered (canon lower (func $new_fields)))
  (core func $append_lowered (canon lower (func $append) (memory $memory)))
  (core func $clone_lowered (canon lower (func $clone)))

  (core module $m
    (import "env" "memory" (memory 2))
    (import "host" "new-fields" (func $new_fields (result i32)))
    (import "host" "append" (func $append (param i32 i32 i32 i32 i32 i32)))
    (import "host" "clone" (func $clone (param i32) (result i32)))
    (data (i32.const 0) "x-big")
    (func (export "run") (result i32)
      (local $fields i32) (local $i i32)
      (memory.fill (i32.const 1024) (i32.const 97) (i32.const 60000))  ;; "aaa…", a valid header value
      (local.set $fields (call $new_fields))
      ;; result<_, header-error> at 16: discriminant 0 = ok
      (call $append (local.get $fields) (i32.const 0) (i32.const 5) (i32.const 1024) (i32.const 60000) (i32.const 16))
      (if (i32.load8_u (i32.const 16)) (then (return (i32.const 1))))
      (loop $more
        (drop (call $clone (local.get $fields)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const 1000))))
      (i32.const 0)))
  (core instance $env (export "memory" (memory $memory)))
  (core instance $host
    (export "new-fields" (func $new_fields_lowered)) (export "append" (func $append_lowered))
    (export "clone" (func $clone_lowered)))
  (core instance $main (instantiate $m (with "env" (instance $env)) (with "host" (instance $host))))

  (type $run_result (result))
  (func $run (result $run_result) (canon lift (core func $main "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
)
