;; A hostile component (issue 17) for wasi:filesystem directory streams, run with a /data preopen holding thousands of
;; long names: it opens 200 streams on /data and keeps them all. A host that snapshots the whole listing per stream
;; holds 200 copies of it; streams must read entries as they are asked for, and at most 128 may be open at once
;; (the 129th and later read-directory calls return insufficient-memory). Every expectation met: notify.ready, then
;; spin until killed (the test reads peak RSS); any expectation missed: run returns err.
(component
  (import "weft:app/notify@0.1.0" (instance $notify (export "ready" (func))))
  (alias export $notify "ready" (func $ready))
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "descriptor" (type $desc (sub resource)))
    (export "directory-entry-stream" (type $stream (sub resource)))
    (type $code (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock" "quota" "exist"
                      "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted" "invalid" "io"
                      "is-directory" "loop" "too-many-links" "message-size" "name-too-long" "no-device"
                      "no-entry" "no-lock" "insufficient-memory" "insufficient-space" "not-directory"
                      "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device" "overflow"
                      "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy" "cross-device"))
    (export "error-code" (type $code2 (eq $code)))
    (type $read_res (result (own $stream) (error $code2)))
    (export "[method]descriptor.read-directory" (func (param "self" (borrow $desc)) (result $read_res)))))
  (alias export $types "descriptor" (type $descriptor))
  (alias export $types "[method]descriptor.read-directory" (func $read_directory))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (export "descriptor" (type (eq $descriptor)))
    (type $entry (tuple (own $descriptor) string))
    (export "get-directories" (func (result (list $entry))))))
  (alias export $preopens "get-directories" (func $get_directories))

  (core module $mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 4096))
    ;; A bump allocator: enough for the one list of preopens this component receives.
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $at)))
  (core instance $mem_i (instantiate $mem))
  (alias core export $mem_i "memory" (core memory $memory))
  (alias core export $mem_i "realloc" (core func $realloc))
  (core func $ready_lowered (canon lower (func $ready)))
  (core func $read_directory_lowered (canon lower (func $read_directory) (memory $memory)))
  (core func $get_directories_lowered
    (canon lower (func $get_directories) (memory $memory) (realloc $realloc) string-encoding=utf8))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "host" "ready" (func $ready))
    (import "host" "read-directory" (func $read_directory (param i32 i32)))
    (import "host" "get-directories" (func $get_directories (param i32)))
    (func (export "run") (result i32)
      (local $data i32) (local $i i32) (local $opened i32) (local $refused i32)
      ;; list<tuple<own<descriptor>, string>> at 0: pointer, length; the first element's handle is at its start.
      (call $get_directories (i32.const 0))
      (if (i32.eqz (i32.load (i32.const 4))) (then (return (i32.const 1))))
      (local.set $data (i32.load (i32.load (i32.const 0))))
      (loop $more
        ;; result<own<stream>, error-code> at 16: discriminant, then the handle or the error case at 20.
        (call $read_directory (local.get $data) (i32.const 16))
        (if (i32.eqz (i32.load8_u (i32.const 16)))
          (then (local.set $opened (i32.add (local.get $opened) (i32.const 1))))
          (else
            (if (i32.ne (i32.load8_u (i32.const 20)) (i32.const 22)) (then (return (i32.const 1))))  ;; insufficient-memory
            (local.set $refused (i32.add (local.get $refused) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const 200))))
      (if (i32.ne (local.get $opened) (i32.const 128)) (then (return (i32.const 1))))
      (if (i32.ne (local.get $refused) (i32.const 72)) (then (return (i32.const 1))))
      (call $ready)
      (loop $spin (br $spin))
      (i32.const 1)))
  (core instance $env (export "memory" (memory $memory)))
  (core instance $host
    (export "ready" (func $ready_lowered)) (export "read-directory" (func $read_directory_lowered))
    (export "get-directories" (func $get_directories_lowered)))
  (core instance $main (instantiate $m (with "env" (instance $env)) (with "host" (instance $host))))

  (type $run_result (result))
  (func $run (result $run_result) (canon lift (core func $main "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
)
