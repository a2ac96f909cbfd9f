;; A hostile component (issue 17) for the table budget (spec §4.6: 1 000 000 elements in all tables together): two
;; core instances, one table each, grown one after the other with no host call in between. The second table gets what
;; the first left and no more, and a refused growth returns -1. Every expectation met: notify.ready, then spin until
;; killed; any expectation missed: run returns err.
(component
  (import "weft:app/notify@0.1.0" (instance $notify (export "ready" (func))))
  (alias export $notify "ready" (func $ready))
  (core func $ready_lowered (canon lower (func $ready)))

  (core module $a
    (table (export "t") 0 funcref)
    (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
  (core instance $ia (instantiate $a))

  (core module $b
    (import "a" "grow" (func $grow_a (param i32) (result i32)))
    (import "weft" "ready" (func $ready))
    (table 0 funcref)
    (func (export "run") (result i32)
      (if (i32.ne (call $grow_a (i32.const 600000)) (i32.const 0)) (then (return (i32.const 1))))
      (if (i32.ne (table.grow (ref.null func) (i32.const 600000)) (i32.const -1)) (then (return (i32.const 1))))
      (if (i32.ne (table.grow (ref.null func) (i32.const 400000)) (i32.const 0)) (then (return (i32.const 1))))
      (if (i32.ne (table.grow (ref.null func) (i32.const 1)) (i32.const -1)) (then (return (i32.const 1))))
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
