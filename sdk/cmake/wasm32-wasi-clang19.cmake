# CMake toolchain file for WEFT guest code: clang-19 targeting wasm32-wasip1 (WASI preview 1 core modules, which
# weft_componentize() in WeftApp.cmake turns into WASI 0.2 components).
#   cmake -S app -B build -DCMAKE_TOOLCHAIN_FILE=<weft>/sdk/cmake/wasm32-wasi-clang19.cmake
# Executables come out as <name>.wasm core modules. C++ is built without exceptions: wasi-libc ships no unwinder and
# -fwasm-exceptions does not link. The C/C++ libraries are the WASI sysroot scripts/setup extracts from the pinned
# npm @yowasp/clang (node_modules/.weft-sysroot), not Debian's 2022 wasi-libc (docs/writing-apps.md, "Toolchain").
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_ASM_COMPILER_TARGET wasm32-wasip1)
set(CMAKE_EXECUTABLE_SUFFIX_C .wasm)
set(CMAKE_EXECUTABLE_SUFFIX_CXX .wasm)
set(CMAKE_CXX_FLAGS_INIT "-fno-exceptions")
get_filename_component(_weft_sysroot "${CMAKE_CURRENT_LIST_DIR}/../../node_modules/.weft-sysroot" ABSOLUTE)
if(NOT EXISTS "${_weft_sysroot}/lib/wasm32-wasip1/libc.a")
  message(FATAL_ERROR "the WASI sysroot ${_weft_sysroot} is missing: run <weft>/scripts/setup")
endif()
set(CMAKE_SYSROOT "${_weft_sysroot}")
# Links find compiler-rt's builtins under the sysroot (lib/wasm32-unknown-wasip1/): Debian's clang-19 has none for
# wasm32-wasip1 in its own resource directory.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-resource-dir=${_weft_sysroot}")
# Note: clang links with -O* by running a `wasm-opt` found in PATH; Debian's binaryen 108 breaks modules, so keep it
# out of PATH on guest-build machines.
# The WEFT SDK headers, so `#include <weft_app.h>` works without further setup.
get_filename_component(_weft_sdk_include "${CMAKE_CURRENT_LIST_DIR}/../include" ABSOLUTE)
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${_weft_sdk_include}")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${_weft_sdk_include}")
set(CMAKE_FIND_ROOT_PATH "${_weft_sysroot}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
