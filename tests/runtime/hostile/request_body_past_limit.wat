;; A hostile component (issue 17) for the outgoing HTTP body (spec §4.5: request body ≤ 16 MiB), run with
;; --max-memory-mib 2 and no grant (writing a body needs none): it writes 1 MiB of zeroes to an outgoing body, 64
;; times. The body is buffered by the host, so without a limit the runtime holds 64 MiB for a guest of 2 MiB. The
;; stream must fail (last-operation-failed) at the write that would pass 16 MiB, and keep failing. Every expectation
;; met: notify.ready, then spin until killed (the test reads peak RSS); any expectation missed: run returns err.
(component
  (import "weft:app/notify@0.1.0" (instance $notify (export "ready" (func))))
  (alias export $notify "ready" (func $ready))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "error" (type $err (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (type $serr (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $serr2 (eq $serr)))
    (type $wres (result (error $serr2)))
    (export "[method]output-stream.write-zeroes" (func (param "self" (borrow $os)) (param "len" u64) (result $wres)))))
  (alias export $streams "[method]output-stream.write-zeroes" (func $write_zeroes))
  (import "wasi:http/types@0.2.0" (instance $http
    (export "output-stream" (type $os (sub resource)))
    (export "fields" (type $fields (sub resource)))
    (export "outgoing-request" (type $req (sub resource)))
    (export "outgoing-body" (type $body (sub resource)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[constructor]outgoing-request" (func (param "headers" (own $fields)) (result (own $req))))
    (type $body_res (result (own $body)))
    (export "[method]outgoing-request.body" (func (param "self" (borrow $req)) (result $body_res)))
    (type $stream_res (result (own $os)))
    (export "[method]outgoing-body.write" (func (param "self" (borrow $body)) (result $stream_res)))))
  (alias export $http "[constructor]fields" (func $new_fields))
  (alias export $http "[constructor]outgoing-request" (func $new_request))
  (alias export $http "[method]outgoing-request.body" (func $request_body))
  (alias export $http "[method]outgoing-body.write" (func $body_write))

  (core module $mem (memory (export "memory") 1))
  (core instance $mem_i (instantiate $mem))
  (alias core export $mem_i "memory" (core memory $memory))
  (core func $ready_lowered (canon lower (func $ready)))
  (core func $write_zeroes_lowered (canon lower (func $write_zeroes) (memory $memory)))
  (core func $new_fields_lowered (canon lower (func $new_fields)))
  (core func $new_request_lowered (canon lower (func $new_request)))
  (core func $request_body_lowered (canon lower (func $request_body) (memory $memory)))
  (core func $body_write_lowered (canon lower (func $body_write) (memory $memory)))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "host" "ready" (func $ready))
    (import "host" "write-zeroes" (func $write_zeroes (param i32 i64 i32)))
    (import "host" "new-fields" (func $new_fields (result i32)))
    (import "host" "new-request" (func $new_request (param i32) (result i32)))
    (import "host" "request-body" (func $request_body (param i32 i32)))
    (import "host" "body-write" (func $body_write (param i32 i32)))
    (func (export "run") (result i32)
      (local $stream i32) (local $i i32)
      ;; result<own<T>>: discriminant at 0, handle at 4
      (call $request_body (call $new_request (call $new_fields)) (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then (return (i32.const 1))))
      (call $body_write (i32.load (i32.const 4)) (i32.const 0))
      (if (i32.load8_u (i32.const 0)) (then (return (i32.const 1))))
      (local.set $stream (i32.load (i32.const 4)))
      ;; 16 writes of 1 MiB reach the limit exactly: all succeed.
      (loop $fill
        (call $write_zeroes (local.get $stream) (i64.const 1048576) (i32.const 16))
        (if (i32.load8_u (i32.const 16)) (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $fill (i32.lt_u (local.get $i) (i32.const 16))))
      ;; 48 more must each fail with last-operation-failed (case 0 at 20).
      (loop $past
        (call $write_zeroes (local.get $stream) (i64.const 1048576) (i32.const 16))
        (if (i32.eqz (i32.load8_u (i32.const 16))) (then (return (i32.const 1))))
        (if (i32.load8_u (i32.const 20)) (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $past (i32.lt_u (local.get $i) (i32.const 64))))
      (call $ready)
      (loop $spin (br $spin))
      (i32.const 1)))
  (core instance $env (export "memory" (memory $memory)))
  (core instance $host
    (export "ready" (func $ready_lowered)) (export "write-zeroes" (func $write_zeroes_lowered))
    (export "new-fields" (func $new_fields_lowered)) (export "new-request" (func $new_request_lowered))
    (export "request-body" (func $request_body_lowered)) (export "body-write" (func $body_write_lowered)))
  (core instance $main (instantiate $m (with "env" (instance $env)) (with "host" (instance $host))))

  (type $run_result (result))
  (func $run (result $run_result) (canon lift (core func $main "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
)
