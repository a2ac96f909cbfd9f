# weft-runtime benchmark (included from tests/runtime, which builds the guest side with clang-19 + jco).
# Run: ${CMAKE_BINARY_DIR}/bin/runtime_bench [MiB fib-n nbody-steps host-calls [sqlite-rows sqlite-txns]]
set(WEFT_RT_BENCH_SRC ${CMAKE_CURRENT_LIST_DIR})
add_executable(runtime_compute_native ${WEFT_RT_BENCH_SRC}/runtime_compute.c)
# The native baseline is always optimised, whatever the build type, to compare against clang -O2 output.
target_compile_options(runtime_compute_native PRIVATE -O2)
target_link_libraries(runtime_compute_native PRIVATE m)
set_target_properties(runtime_compute_native PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${WEFT_RT_FIXTURES})

# The SQLite workload natively, from the same amalgamation and defines as the SDK's `LIBRARIES sqlite` guest build:
# the durability tests compare the component's results with it, the bench its time. Without debug info (the
# amalgamation is 9 MB of C); optimised where the bench is meant to run (release builds), -O0 in debug builds, where
# only its results matter (-O2 costs ≈ 40 s of compile there); SQLite's own warnings are not ours to fix.
add_library(weft_native_sqlite STATIC ${WEFT_SQLITE_DIR}/sqlite3.c)
target_compile_definitions(weft_native_sqlite PUBLIC SQLITE_THREADSAFE=0 SQLITE_OMIT_LOAD_EXTENSION)
target_compile_options(weft_native_sqlite PRIVATE $<IF:$<CONFIG:Debug>,-O0,-O2> -g0 -w)
target_include_directories(weft_native_sqlite PUBLIC ${WEFT_SQLITE_DIR})
target_link_libraries(weft_native_sqlite PUBLIC m)
add_executable(sqlite_workload_native ${WEFT_RT_BENCH_SRC}/sqlite_workload.c)
target_compile_options(sqlite_workload_native PRIVATE -O2)
target_link_libraries(sqlite_workload_native PRIVATE weft_native_sqlite)
set_target_properties(sqlite_workload_native PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${WEFT_RT_FIXTURES})

add_executable(runtime_bench ${WEFT_RT_BENCH_SRC}/runtime_bench.cpp)
target_link_libraries(runtime_bench PRIVATE weft-process-allocator weft-runtime-host)  # as weft-runtime
# The V8 column runs the component's own core module (before componentize) under Node (bench/runtime_v8.mjs).
set(counter_component "")
if(TARGET weft-demo-counter_component)
  set(counter_component "$<TARGET_PROPERTY:weft-demo-counter_component,WEFT_COMPONENT>")
  add_dependencies(runtime_bench weft-demo-counter_component)
endif()
target_compile_definitions(runtime_bench PRIVATE WEFT_RT_BENCH_DIR="${WEFT_RT_FIXTURES}"
  WEFT_RT_BENCH_CORE="${CMAKE_CURRENT_BINARY_DIR}/runtime_fixture_runtime_compute.dir/runtime_fixture_runtime_compute.core.wasm"
  WEFT_RT_BENCH_V8="${WEFT_RT_BENCH_SRC}/runtime_v8.mjs" WEFT_RT_BENCH_COUNTER="${counter_component}")
add_dependencies(runtime_bench runtime_compute_native runtime_fixture_runtime_compute runtime_fixture_hello
                 sqlite_workload_native runtime_fixture_sqlite_workload)
