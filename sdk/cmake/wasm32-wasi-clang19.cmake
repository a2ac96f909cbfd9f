# CMake toolchain file for WEFT guest code: clang-19 targeting wasm32-wasi (WASI preview 1 core modules, which
# weft_componentize() in WeftApp.cmake turns into WASI 0.2 components).
#   cmake -S app -B build -DCMAKE_TOOLCHAIN_FILE=<weft>/sdk/cmake/wasm32-wasi-clang19.cmake
# Executables come out as <name>.wasm core modules. C++ is built without exceptions: wasi-libc ships no unwinder and
# -fwasm-exceptions does not link.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_ASM_COMPILER_TARGET wasm32-wasi)
set(CMAKE_EXECUTABLE_SUFFIX_C .wasm)
set(CMAKE_EXECUTABLE_SUFFIX_CXX .wasm)
set(CMAKE_CXX_FLAGS_INIT "-fno-exceptions")
# Note: clang links with -O* by running a `wasm-opt` found in PATH; Debian's binaryen 108 breaks modules, so keep it
# out of PATH on guest-build machines.
# The WEFT SDK headers, so `#include <weft_app.h>` works without further setup.
get_filename_component(_weft_sdk_include "${CMAKE_CURRENT_LIST_DIR}/../include" ABSOLUTE)
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${_weft_sdk_include}")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${_weft_sdk_include}")
set(CMAKE_FIND_ROOT_PATH /usr/lib/wasm32-wasi /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
