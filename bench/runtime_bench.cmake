# weft-runtime benchmark (included from tests/runtime, which builds the guest side with clang-19 + jco).
# Run: ${CMAKE_BINARY_DIR}/bin/runtime_bench [MiB fib-n nbody-steps host-calls]
set(WEFT_RT_BENCH_SRC ${CMAKE_CURRENT_LIST_DIR})
add_executable(runtime_compute_native ${WEFT_RT_BENCH_SRC}/runtime_compute.c)
# The native baseline is always optimised, whatever the build type, to compare against clang -O2 output.
target_compile_options(runtime_compute_native PRIVATE -O2)
target_link_libraries(runtime_compute_native PRIVATE m)
set_target_properties(runtime_compute_native PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${WEFT_RT_FIXTURES})

add_executable(runtime_bench ${WEFT_RT_BENCH_SRC}/runtime_bench.cpp)
target_link_libraries(runtime_bench PRIVATE weft-runtime-host)
target_compile_definitions(runtime_bench PRIVATE WEFT_RT_BENCH_DIR="${WEFT_RT_FIXTURES}")
add_dependencies(runtime_bench runtime_compute_native runtime_fixture_runtime_compute runtime_fixture_hello)
