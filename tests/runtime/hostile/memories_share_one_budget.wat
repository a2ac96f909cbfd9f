;; A hostile component (issue 17) for the memory budget (spec §4.6), run with --max-memory-mib 64 (1024 pages): two
;; core instances, one memory each, grown one after the other with no host call in between. All memories together
;; stay within the budget: the second memory gets what the first left and no more, the first nothing more once it
;; is spent, and a refused growth returns -1. Module $a's start function grows its memory too (start functions run
;; under the same budget). Every expectation met: notify.ready, then spin until killed (the test reads peak RSS);
;; any expectation missed: run returns err.
(component
  (import "weft:app/notify@0.1.0" (instance $notify (export "ready" (func))))
  (alias export $notify "ready" (func $ready))
  (core func $ready_lowered (canon lower (func $ready)))

  (core module $a
    (memory (export "mem") 1)
    (global $started (mut i32) (i32.const -2))
    (func $start (global.set $started (memory.grow (i32.const 1))))
    (start $start)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "started") (result i32) (global.get $started)))
  (core instance $ia (instantiate $a))

  (core module $b
    (import "a" "grow" (func $grow_a (param i32) (result i32)))
    (import "a" "started" (func $started (result i32)))
    (import "weft" "ready" (func $ready))
    (memory 1)
    (func (export "run") (result i32)
      ;; $a: 1 page + 1 from its start function; $b: 1 page. 1021 pages are left.
      (if (i32.ne (call $started) (i32.const 1)) (then (return (i32.const 1))))
      ;; $a takes 766 more (768 pages, 48 MiB): 255 left.
      (if (i32.ne (call $grow_a (i32.const 766)) (i32.const 2)) (then (return (i32.const 1))))
      ;; $b asking for 48 MiB as well is refused, and nothing is taken.
      (if (i32.ne (memory.grow (i32.const 768)) (i32.const -1)) (then (return (i32.const 1))))
      ;; Exactly what is left fits ...
      (if (i32.ne (memory.grow (i32.const 255)) (i32.const 1)) (then (return (i32.const 1))))
      ;; ... and then neither memory gets one more page.
      (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 1))))
      (if (i32.ne (call $grow_a (i32.const 1)) (i32.const -1)) (then (return (i32.const 1))))
      (call $ready)
      (loop $spin (br $spin))
      (i32.const 1)))
  (core instance $weft (export "ready" (func $ready_lowered)))
  (core instance $ib (instantiate $b (with "a" (instance $ia)) (with "weft" (instance $weft))))

  (type $run_result (result))
  (func $run (result $run_result) (canon lift (core func $ib "run")))
  (instance $run_instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_instance))
)
