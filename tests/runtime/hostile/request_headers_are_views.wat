;; A hostile component (issue 17) for wasi:http outgoing-request.headers, which returns an immutable view of the
;; request's headers: it builds a request whose headers hold one 60 000-byte entry and asks for that view 1 000 times,
;; keeping every handle. A host that copies the headers per view holds 60 MB for a guest of two pages; views must
;; share the request's entries. Every call answered: notify.ready, then spin until killed (the test reads peak RSS);
;; a failed append: run returns err.
(component
  (import "weft:app/notify@0.1.0" (instance $notify (export "ready" (func))))
  (alias export $notify "ready" (func $ready))
  (import "wasi:http/types@0.2.0" (instance $http
    (export "fields" (type $fields (sub resource)))
    (export "outgoing-request" (type $req (sub resource)))
    (type $herr (variant (case "invalid-syntax") (case "forbidden") (case "immutable")))
    (export "header-error" (type $herr2 (eq $herr)))
    (type $append_res (result (error $herr2)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[method]fields.append"
      (func (param "self" (borrow $fields)) (param "name" string) (param "value" (list u8)) (result $append_res)))
    (export "[constructor]outgoing-request" (func (param "headers" (own $fields)) (result (own $req))))
    (export "[method]outgoing-request.headers" (func (param "self" (borrow $req)) (result (own $fields))))))
  (alias export $http "[constructor]fields" (func $new_fields))
  (alias export $http "[method]fields.append" (func $append))
  (alias export $http "[constructor]outgoing-request" (func $new_request))
  (alias export $http "[method]outgoing-request.headers" (func $headers))

  (core module $mem (memory (export "memory") 2))
  (core instance $mem_i (instantiate $mem))
  (alias core export $mem_i "memory" (core memory $memory))
  (core func $ready_lowered (canon lower (func $ready)))
  (core func $new_fields_lowered (canon lower (func $new_fields)))
  (core func $append_lowered (canon lower (func $append) (memory $memory)))
  (core func $new_request_lowered (canon lower (func $new_request)))
  (core func $headers_lowered (canon lower (func $headers)))

  (core module $m
    (import "env" "memory" (memory 2))
    (import "host" "ready" (func $ready))
    (import "host" "new-fields" (func $new_fields (result i32)))
    (import "host" "append" (func $append (param i32 i32 i32 i32 i32 i32)))
    (import "host" "new-request" (func $new_request (param i32) (result i32)))
    (import "host" "headers" (func $headers (param i32) (result i32)))
    (data (i32.const 0) "x-big")
    (func (export "run") (result i32)
      (local $fields i32) (local $request i32) (local $i i32)
      (memory.fill (i32.const 1024) (i32.const 97) (i32.const 60000))  ;; "aaa…", a valid header value
      (local.set $fields (call $new_fields))
      (call $append (local.get $fields) (i32.const 0) (i32.const 5) (i32.const 1024) (i32.const 60000) (i32.const 16))
      (if (i32.load8_u (i32.const 16)) (then (return (i32.const 1))))
      (local.set $request (call $new_request (local.get $fields)))
      (loop $more
        (drop (call $headers (local.get $request)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const 1000))))
      (call $ready)
      (loop $spin (br $spin))
      (i32.const 1)))
  (core instance $env (export "memory" (memory $memory)))
  (core instance $host
    (export "ready" (func $ready_lowered)) (export "new-fields" (func $new_fields_lowered))
    (export "append" (func $append_lowered)) (export "new-request" (func $new_request_lowered))
    (export "headers" (func $headers_lowered)))
  (core instance $main (instantiate $m (with "env" (instance $env)) (with "host" (instance $host))))

  (type $run_result (result))
  (func $run (result $run_result) (canon lift (core func $main "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
)
