;; A wasm32-wasip1 command that hands weft-runtime's wasi_snapshot_preview1 every kind of hostile pointer and length
;; and checks the errno of each: the host answers, never crashes, never writes outside the memory. On the first
;; wrong answer it exits with 100 + the case number; when all are right it prints "ok" and exits 0.
;; Run with one preopen (fd 3) and --max-memory-mib 1 (memory.grow past 16 pages must fail).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: iovec scratch, 64: "ok\n", 80: "file", 96: a 1024-entry iovec array of {64, 3}
  (data (i32.const 64) "ok\n")
  (data (i32.const 80) "file")

  (func $expect (param $got i32) (param $want i32) (param $case i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (i32.add (i32.const 100) (local.get $case))))))

  (func (export "_start")
    (local $i i32)
    ;; 1: an iovec array that starts inside the memory and runs past its end
    (call $expect (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 1))
    ;; 2: an iovec whose buffer lies past the end
    (i32.store (i32.const 0) (i32.const 65000))
    (i32.store (i32.const 4) (i32.const 1000))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 21) (i32.const 2))
    ;; 3: an iovec whose buffer wraps the 32-bit address space
    (i32.store (i32.const 0) (i32.const 0xFFFFFFF0))
    (i32.store (i32.const 4) (i32.const 0x20))
    (call $expect (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 21) (i32.const 3))
    ;; 4: more iovecs than IOV_MAX
    (call $expect (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0xFFFFFFFF) (i32.const 8)) (i32.const 28) (i32.const 4))
    ;; 5: the count written goes past the end: refused before anything is written
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 3))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 65534)) (i32.const 21) (i32.const 5))
    ;; 6: an fd that is not open
    (call $expect (call $fd_write (i32.const 77) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 8) (i32.const 6))
    ;; 7: a path longer than PATH_MAX, and one past the end of memory
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 0xFFFFFFFF) (i32.const 0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 37) (i32.const 7))
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 100) (i32.const 0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 21) (i32.const 8))
    ;; 9: unknown oflags bits
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 4) (i32.const 0xF0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 28) (i32.const 9))
    ;; 10: the fd result slot past the end
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 4) (i32.const 1)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 65535)) (i32.const 21) (i32.const 10))
    ;; 11: a path_* call on an fd that is not a directory (stdout)
    (call $expect (call $path_open (i32.const 1) (i32.const 0) (i32.const 80) (i32.const 4) (i32.const 0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 54) (i32.const 11))
    ;; 12: a readlink buffer past the end
    (call $expect (call $path_readlink (i32.const 3) (i32.const 80) (i32.const 4) (i32.const 65000) (i32.const 4096)
                        (i32.const 8)) (i32.const 21) (i32.const 12))
    ;; 13: conflicting timestamp flags (ATIM and ATIM_NOW)
    (call $expect (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 4)
                        (i64.const 0) (i64.const 0) (i32.const 3)) (i32.const 28) (i32.const 13))
    ;; 14: a readdir buffer past the end
    (call $expect (call $fd_readdir (i32.const 3) (i32.const 65000) (i32.const 4096) (i64.const 0) (i32.const 8))
                  (i32.const 21) (i32.const 14))
    ;; 15: a prestat name buffer past the end
    (call $expect (call $fd_prestat_dir_name (i32.const 3) (i32.const 65535) (i32.const 16)) (i32.const 21) (i32.const 15))
    ;; 16: a filestat that does not fit (64 bytes at 65500)
    (call $expect (call $fd_filestat_get (i32.const 3) (i32.const 65500)) (i32.const 21) (i32.const 16))
    ;; 17: argv pointers past the end
    (call $expect (call $args_get (i32.const 65534) (i32.const 0)) (i32.const 21) (i32.const 17))
    ;; 18: environ sizes past the end
    (call $expect (call $environ_sizes_get (i32.const 0) (i32.const 65533)) (i32.const 21) (i32.const 18))
    ;; 19: a clock result that does not fit; an unknown clock
    (call $expect (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 65530)) (i32.const 21) (i32.const 19))
    (call $expect (call $clock_time_get (i32.const 9) (i64.const 0) (i32.const 0)) (i32.const 28) (i32.const 20))
    ;; 21: random bytes past the end, and a length that wraps
    (call $expect (call $random_get (i32.const 65000) (i32.const 1000)) (i32.const 21) (i32.const 21))
    (call $expect (call $random_get (i32.const 16) (i32.const 0xFFFFFFFF)) (i32.const 21) (i32.const 22))
    ;; 23: poll_oneoff with no subscriptions, and with more than the memory holds
    (call $expect (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 8)) (i32.const 28) (i32.const 23))
    (call $expect (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 0x7FFFFFFF) (i32.const 8)) (i32.const 21) (i32.const 24))
    ;; 25: seeking stdout; seeking a directory; closing an fd twice
    (call $expect (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 70) (i32.const 25))
    (call $expect (call $fd_seek (i32.const 3) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 8) (i32.const 26))
    ;; 27: a file: seek before its start (EINVAL), past i64 (EOVERFLOW), an unknown whence (EINVAL)
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 80) (i32.const 4) (i32.const 1)
                        (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 8)) (i32.const 0) (i32.const 27))
    (call $expect (call $fd_seek (i32.load (i32.const 8)) (i64.const -1) (i32.const 0) (i32.const 16)) (i32.const 28) (i32.const 28))
    (call $expect (call $fd_seek (i32.load (i32.const 8)) (i64.const 10) (i32.const 0) (i32.const 16)) (i32.const 0) (i32.const 29))
    (call $expect (call $fd_seek (i32.load (i32.const 8)) (i64.const 0x7FFFFFFFFFFFFFFF) (i32.const 1) (i32.const 16))
                  (i32.const 61) (i32.const 30))
    (call $expect (call $fd_seek (i32.load (i32.const 8)) (i64.const 0) (i32.const 7) (i32.const 16)) (i32.const 28) (i32.const 31))
    ;; 32: pwrite of an iovec past the end leaves the file untouched (EFAULT), then a good one writes
    (i32.store (i32.const 24) (i32.const 65535))
    (i32.store (i32.const 28) (i32.const 2))
    (call $expect (call $fd_pwrite (i32.load (i32.const 8)) (i32.const 24) (i32.const 1) (i64.const 0) (i32.const 16))
                  (i32.const 21) (i32.const 32))
    (call $expect (call $fd_close (i32.load (i32.const 8))) (i32.const 0) (i32.const 33))
    (call $expect (call $fd_close (i32.load (i32.const 8))) (i32.const 8) (i32.const 34))
    ;; 35: 1024 iovecs (IOV_MAX) of "ok\n" are accepted; the host writes at most its transfer limit
    (local.set $i (i32.const 0))
    (loop $fill
      (i32.store (i32.add (i32.const 96) (i32.shl (local.get $i) (i32.const 3))) (i32.const 64))
      (i32.store (i32.add (i32.const 100) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
    (i32.store (i32.const 100) (i32.const 3))
    (call $expect (call $fd_write (i32.const 1) (i32.const 96) (i32.const 1024) (i32.const 16)) (i32.const 0) (i32.const 35))
    (call $expect (i32.load (i32.const 16)) (i32.const 3) (i32.const 36))
    ;; 37: memory.grow past --max-memory-mib 1 (16 pages) fails instead of growing
    (call $expect (memory.grow (i32.const 32)) (i32.const -1) (i32.const 37))
    ;; 38: 4097 subscriptions that do fit in the (grown) memory: past the host's bound of 4096, EINVAL
    (call $expect (memory.grow (i32.const 3)) (i32.const 1) (i32.const 38))
    (call $expect (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 4097) (i32.const 8)) (i32.const 28) (i32.const 39))
  )
)
