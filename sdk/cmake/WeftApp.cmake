# WeftApp.cmake — build WEFT app components and packages from any CMake project.
#
# Guest code is compiled by calling clang-19 --target=wasm32-wasip1 through custom commands, so this works inside a
# native (g++) project such as WEFT's own build as well as in a standalone app project; the project compiler is never
# switched. The C library is the WASI sysroot scripts/setup extracts from the pinned npm @yowasp/clang into
# node_modules/.weft-sysroot (wasi-libc, libc++/libc++abi, compiler-rt builtins), not Debian's 2022 wasi-libc
# (docs/writing-apps.md, "Toolchain"). Core modules become components with the pinned jco (sdk/jco): `jco embed` adds the app's world,
# `jco new --wasi-command` wraps the module with jco's bundled WASI preview1 command adapter.
#
#   find_package(WeftSdk REQUIRED)   # with CMAKE_PREFIX_PATH=<weft>/sdk (WeftSdkConfig.cmake includes this file)
#   or include(<weft>/sdk/cmake/WeftApp.cmake)
#   weft_add_component(<target> SOURCES <files…> WIT <dir> WORLD <name> [OUTPUT <file.wasm>]
#                      [INCLUDE_DIRS <dirs…>] [DEFINES <defs…>] [COMPILE_OPTIONS <opts…>] [LIBRARIES sqlite])
#   weft_componentize(<target> CORE <core.wasm> WIT <dir> WORLD <name> [OUTPUT <file.wasm>] [DEPENDS <…>])
#   weft_add_app(<target> SOURCES <files…> WIT <dir> WORLD <name> MANIFEST <wapp.toml> UI <dir>
#                [CAPABILITIES <caps…>] [KEY <weft-sign.key>] [SIGN_TOOL <weft-pack>] [PACKAGES_DIR <dir>]
#                [LIBRARIES sqlite] …)
#   weft_add_js_component(<target> SOURCE <app.js> WIT <dir> WORLD <name> [OUTPUT <file.wasm>] [DEPENDS <…>]
#                         [WITH_HTTP])
#   weft_add_js_app(<target> SOURCE <app.js> WIT <dir> WORLD <name> MANIFEST <wapp.toml> UI <dir> …)
#
# Every package build runs `weft-pack check` on the assembled package (the weft-pack target in WEFT's own build, else
# WEFT_PACK: -DWEFT_PACK=<path>, or found in PATH or <weft>/build/{debug,release}/bin), so a mistake weft-pack would
# refuse at install time fails the build.
#
# JavaScript apps are componentized by componentize-js (StarlingMonkey, ≈12 MB per component, ≈8 s per build) with
# the WASI http and fetch-event features disabled, so they import no more of the host than C apps do. Their world
# must `export wasi:cli/run@0.2.12;` (a module export `run = { run() {…} }`, which may be async); the WASI WIT
# packages it refers to are added from jco's bundled copies.
#
# WIT <dir> holds the app's own world (e.g. `world app { import weft:app/ipc@0.1.0; }`); weft:app itself is added as
# a dependency package, so apps never copy wit/weft-app.wit. Sources ending in .c are C17 (GNU), .cc/.cpp/.cxx are C++20
# without exceptions (wasi-libc has no unwinder). sdk/include (weft_app.h, weft_json.h) is always on the include path.
#
# LIBRARIES names guest libraries the SDK builds once per build tree and links: `sqlite` is the SQLite amalgamation
# pinned in package-lock.json (npm better-sqlite3's deps/sqlite3), built with SQLITE_THREADSAFE=0 and
# SQLITE_OMIT_LOAD_EXTENSION; `#include <sqlite3.h>` then works.
include_guard(GLOBAL)

# INTERNAL cache entries: the functions below run in other directories' scopes, where this file's variables are gone.
get_filename_component(_weft_sdk_dir "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(WEFT_SDK_DIR "${_weft_sdk_dir}" CACHE INTERNAL "WEFT guest SDK directory")
get_filename_component(_weft_repo_root "${WEFT_SDK_DIR}/.." ABSOLUTE)
set(WEFT_APP_WIT "${_weft_repo_root}/wit/weft-app.wit" CACHE INTERNAL "weft:app@0.1.0 WIT")
set(WEFT_JCO "${WEFT_SDK_DIR}/jco" CACHE INTERNAL "jco wrapper with host preopens")
# WASI 0.2 WIT packages shipped with the pinned jco, for JS worlds that export wasi:cli/run.
set(WEFT_JCO_WASI_WIT "${_weft_repo_root}/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12"
    CACHE INTERNAL "WASI 0.2 WIT packages")

# The WASI sysroot (scripts/setup); its .stamp names the @yowasp/clang version it came from.
set(WEFT_GUEST_SYSROOT "${_weft_repo_root}/node_modules/.weft-sysroot" CACHE INTERNAL "WASI sysroot for guests")
set(WEFT_SQLITE_DIR "${_weft_repo_root}/node_modules/better-sqlite3/deps/sqlite3" CACHE INTERNAL
    "SQLite amalgamation (sqlite3.c, sqlite3.h)")

find_program(WEFT_GUEST_CC NAMES clang-19 DOC "C compiler for wasm32-wasip1 guests")
find_program(WEFT_GUEST_CXX NAMES clang++-19 DOC "C++ compiler for wasm32-wasip1 guests")
find_program(WEFT_NODE NAMES node nodejs DOC "Node.js, runs jco")

# The SDK is usable when the guest compilers, Node.js, the WASI sysroot and the npm tooling are all present; callers skip
# their guest targets otherwise, so a machine without guest tooling still configures and builds the native parts.
set(WEFT_SDK_MISSING "")
foreach(_weft_req WEFT_GUEST_CC WEFT_GUEST_CXX WEFT_NODE)
  if(NOT ${_weft_req})
    list(APPEND WEFT_SDK_MISSING ${_weft_req})
  endif()
endforeach()
if(NOT EXISTS "${_weft_repo_root}/node_modules/@bytecodealliance/jco/dist/jco.js")
  list(APPEND WEFT_SDK_MISSING "node_modules/@bytecodealliance/jco (run scripts/setup)")
endif()
if(NOT EXISTS "${WEFT_GUEST_SYSROOT}/.stamp" OR NOT EXISTS "${WEFT_GUEST_SYSROOT}/lib/wasm32-wasip1/libc.a")
  list(APPEND WEFT_SDK_MISSING "the WASI sysroot node_modules/.weft-sysroot (run scripts/setup)")
endif()
set(WEFT_SDK_MISSING "${WEFT_SDK_MISSING}" CACHE INTERNAL "what the guest SDK lacks here")
if(WEFT_SDK_MISSING)
  set(WEFT_SDK_AVAILABLE FALSE CACHE INTERNAL "")
  message(STATUS "WEFT guest SDK unavailable (missing: ${WEFT_SDK_MISSING}); app components are not built")
else()
  set(WEFT_SDK_AVAILABLE TRUE CACHE INTERNAL "")
endif()

set(WEFT_GUEST_TARGET wasm32-wasip1 CACHE INTERNAL "")
# Every guest compile and link: the target and the sysroot. Links also take the sysroot as clang's resource
# directory, where they find compiler-rt's builtins (lib/wasm32-unknown-wasip1/); Debian's clang-19 has none for
# wasm32-wasip1. Compiles keep clang's own resource directory (its stddef.h, stdarg.h, …).
set(WEFT_GUEST_COMPILE --target=wasm32-wasip1 "--sysroot=${WEFT_GUEST_SYSROOT}" CACHE INTERNAL "")
set(WEFT_GUEST_LINK --target=wasm32-wasip1 "--sysroot=${WEFT_GUEST_SYSROOT}" "-resource-dir=${WEFT_GUEST_SYSROOT}"
    CACHE INTERNAL "")
set(WEFT_GUEST_C_FLAGS -std=gnu17 -O2 -Wall -Wextra CACHE INTERNAL "")
set(WEFT_GUEST_CXX_FLAGS -std=gnu++20 -O2 -Wall -Wextra -fno-exceptions CACHE INTERNAL "")

# A misspelt keyword would otherwise be swallowed silently by the previous list argument or dropped.
macro(_weft_no_unparsed prefix fn target)
  if(${prefix}_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}(${target}): unexpected arguments: ${${prefix}_UNPARSED_ARGUMENTS}")
  endif()
endmacro()

function(_weft_require_sdk fn target)
  if(NOT WEFT_SDK_AVAILABLE)
    message(FATAL_ERROR "${fn}(${target}): the WEFT guest SDK is unavailable (missing: ${WEFT_SDK_MISSING})")
  endif()
endfunction()

# Stages the app's WIT directory with weft:app as a dependency package: <stage>/*.wit + <stage>/deps/weft-app/.
function(_weft_stage_wit target wit_dir out_var)
  cmake_parse_arguments(W "WITH_WASI;WITH_HTTP" "" "" ${ARGN})
  get_filename_component(wit_dir "${wit_dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GLOB app_wits CONFIGURE_DEPENDS "${wit_dir}/*.wit")
  if(NOT app_wits)
    message(FATAL_ERROR "${target}: WIT directory ${wit_dir} holds no .wit file declaring the app's world")
  endif()
  set(stage "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir/wit")
  set(stamp "${stage}/.staged")
  set(wasi_copy "")
  if(W_WITH_WASI)
    set(wasi_packages cli clocks filesystem io random sockets)
    if(W_WITH_HTTP)
      list(APPEND wasi_packages http)
    endif()
    foreach(pkg IN LISTS wasi_packages)
      list(APPEND wasi_copy COMMAND ${CMAKE_COMMAND} -E copy_directory "${WEFT_JCO_WASI_WIT}/wasi-${pkg}"
                                    "${stage}/deps/wasi-${pkg}")
    endforeach()
  endif()
  add_custom_command(OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} -E rm -rf "${stage}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${stage}/deps/weft-app"
    COMMAND ${CMAKE_COMMAND} -E copy ${app_wits} "${stage}/"
    COMMAND ${CMAKE_COMMAND} -E copy "${WEFT_APP_WIT}" "${stage}/deps/weft-app/"
    ${wasi_copy}
    COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
    DEPENDS ${app_wits} "${WEFT_APP_WIT}"
    COMMENT "Staging WIT for ${target}" VERBATIM)
  set(${out_var} "${stage}" PARENT_SCOPE)
  set(${out_var}_STAMP "${stamp}" PARENT_SCOPE)
endfunction()

# Checks shared by the component functions (arguments parsed with prefix C_): no stray arguments, the SDK is present,
# the named arguments are given, and OUTPUT defaults to <current binary dir>/<target>.wasm.
macro(_weft_component_args fn target)
  _weft_no_unparsed(C ${fn} ${target})
  _weft_require_sdk(${fn} ${target})
  foreach(_weft_req ${ARGN})
    if(NOT C_${_weft_req})
      message(FATAL_ERROR "${fn}(${target}): ${_weft_req} is required")
    endif()
  endforeach()
  if(NOT C_OUTPUT)
    set(C_OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/${target}.wasm")
  endif()
endmacro()

function(weft_componentize target)
  cmake_parse_arguments(C "" "CORE;WIT;WORLD;OUTPUT" "DEPENDS" ${ARGN})
  _weft_component_args(weft_componentize ${target} CORE WIT WORLD)
  _weft_stage_wit(${target} "${C_WIT}" stage)
  set(embedded "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir/${target}.embed.wasm")
  add_custom_command(OUTPUT "${C_OUTPUT}"
    COMMAND "${WEFT_JCO}" embed "${C_CORE}" --wit "${stage}" -n "${C_WORLD}" -o "${embedded}"
    COMMAND "${WEFT_JCO}" new "${embedded}" --wasi-command -o "${C_OUTPUT}"
    DEPENDS "${C_CORE}" "${stage_STAMP}" ${C_DEPENDS}
    COMMENT "Creating WEFT component ${C_OUTPUT}" VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${C_OUTPUT}")
  set_target_properties(${target} PROPERTIES WEFT_COMPONENT "${C_OUTPUT}")
endfunction()

# A guest library named in LIBRARIES, built once per build tree: sets <prefix>_OBJECT (the object to link),
# <prefix>_TARGET (the target building it) and <prefix>_INCLUDE (its header directory).
function(_weft_guest_library fn target name prefix)
  if(NOT name STREQUAL "sqlite")
    message(FATAL_ERROR "${fn}(${target}): unknown library '${name}' in LIBRARIES (the SDK provides: sqlite)")
  endif()
  if(NOT EXISTS "${WEFT_SQLITE_DIR}/sqlite3.c")
    message(FATAL_ERROR "${fn}(${target}): LIBRARIES sqlite needs the SQLite amalgamation ${WEFT_SQLITE_DIR}/sqlite3.c "
                        "(npm better-sqlite3, pinned in package-lock.json): run scripts/setup")
  endif()
  set(object "${CMAKE_BINARY_DIR}/weft-guest-libs/sqlite3.o")
  if(NOT TARGET weft_guest_sqlite)
    # Unmodified amalgamation; SQLite itself picks its WASI settings (unix-dotfile VFS, no WAL, no mmap) from __wasi__.
    add_custom_command(OUTPUT "${object}"
      COMMAND "${WEFT_GUEST_CC}" ${WEFT_GUEST_COMPILE} -std=gnu17 -O2 -DSQLITE_THREADSAFE=0
              -DSQLITE_OMIT_LOAD_EXTENSION -c "${WEFT_SQLITE_DIR}/sqlite3.c" -o "${object}"
      DEPENDS "${WEFT_SQLITE_DIR}/sqlite3.c" "${WEFT_GUEST_SYSROOT}/.stamp"
      COMMENT "Compiling guest library SQLite (${WEFT_GUEST_TARGET}, once per build tree)" VERBATIM)
    add_custom_target(weft_guest_sqlite DEPENDS "${object}")
  endif()
  set(${prefix}_OBJECT "${object}" PARENT_SCOPE)
  set(${prefix}_TARGET weft_guest_sqlite PARENT_SCOPE)
  set(${prefix}_INCLUDE "${WEFT_SQLITE_DIR}" PARENT_SCOPE)
endfunction()

function(weft_add_component target)
  cmake_parse_arguments(C "" "WIT;WORLD;OUTPUT" "SOURCES;INCLUDE_DIRS;DEFINES;COMPILE_OPTIONS;LIBRARIES" ${ARGN})
  _weft_no_unparsed(C weft_add_component ${target})
  _weft_require_sdk(weft_add_component ${target})
  if(NOT C_SOURCES)
    message(FATAL_ERROR "weft_add_component(${target}): SOURCES is required")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir")
  set(common ${WEFT_GUEST_COMPILE} -I${WEFT_SDK_DIR}/include)
  set(library_objects "")
  set(library_targets "")
  foreach(library IN LISTS C_LIBRARIES)
    _weft_guest_library(weft_add_component ${target} ${library} lib)
    list(APPEND library_objects "${lib_OBJECT}")
    list(APPEND library_targets ${lib_TARGET})
    list(APPEND common "-I${lib_INCLUDE}")
  endforeach()
  foreach(inc IN LISTS C_INCLUDE_DIRS)
    get_filename_component(inc "${inc}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND common "-I${inc}")
  endforeach()
  foreach(def IN LISTS C_DEFINES)
    list(APPEND common "-D${def}")
  endforeach()
  list(APPEND common ${C_COMPILE_OPTIONS})

  set(objects "")
  set(linker "${WEFT_GUEST_CC}")
  foreach(src IN LISTS C_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(ext "${src}" LAST_EXT)
    if(ext STREQUAL ".c")
      set(compiler "${WEFT_GUEST_CC}")
      set(flags ${WEFT_GUEST_C_FLAGS})
    elseif(ext MATCHES "^\\.(cc|cpp|cxx)$")
      set(compiler "${WEFT_GUEST_CXX}")
      set(flags ${WEFT_GUEST_CXX_FLAGS})
      set(linker "${WEFT_GUEST_CXX}")
    else()
      message(FATAL_ERROR "weft_add_component(${target}): ${src} is neither C (.c) nor C++ (.cc/.cpp/.cxx)")
    endif()
    file(RELATIVE_PATH rel "${CMAKE_CURRENT_SOURCE_DIR}" "${src}")
    string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" rel "${rel}")
    set(obj "${dir}/${rel}.o")
    add_custom_command(OUTPUT "${obj}"
      COMMAND "${compiler}" ${common} ${flags} -MD -MF "${obj}.d" -MT "${obj}" -c "${src}" -o "${obj}"
      DEPENDS "${src}" "${WEFT_GUEST_SYSROOT}/.stamp"
      DEPFILE "${obj}.d"
      COMMENT "Compiling guest ${rel} (${WEFT_GUEST_TARGET})" VERBATIM)
    list(APPEND objects "${obj}")
  endforeach()

  # Linked without -O: clang would run a binaryen wasm-opt from PATH, and Debian's binaryen 108 mangles modules.
  set(core "${dir}/${target}.core.wasm")
  add_custom_command(OUTPUT "${core}"
    COMMAND "${linker}" ${WEFT_GUEST_LINK} ${objects} ${library_objects} -o "${core}"
    DEPENDS ${objects} ${library_objects}
    COMMENT "Linking guest core module ${target}.core.wasm" VERBATIM)
  set(forward WIT "${C_WIT}" WORLD "${C_WORLD}")
  if(C_OUTPUT)
    list(APPEND forward OUTPUT "${C_OUTPUT}")
  endif()
  weft_componentize(${target} CORE "${core}" ${forward})
  if(library_targets)
    add_dependencies(${target} ${library_targets})
  endif()
endfunction()

# Renders a CMake list of capability strings as a TOML array: ["a", "b"].
function(_weft_toml_string_array out_var)
  set(items "")
  foreach(cap IN LISTS ARGN)
    if(NOT cap MATCHES "^[a-z0-9:.*-]+$")
      message(FATAL_ERROR "capability '${cap}' contains characters no WEFT capability has")
    endif()
    list(APPEND items "\"${cap}\"")
  endforeach()
  list(JOIN items ", " joined)
  set(${out_var} "[${joined}]" PARENT_SCOPE)
endfunction()

# Why `id` is not a valid app id (spec §5.2, the wording of weft-pack check), or "" when it is one.
function(_weft_app_id_problem id out_var)
  set(problem "")
  if(id STREQUAL "")
    set(problem "it is empty")
  else()
    string(REPLACE "." ";" segments "${id}.")  # the trailing "." keeps a last empty segment in the list
    list(POP_BACK segments)
    list(LENGTH segments count)
    set(n 0)
    foreach(segment IN LISTS segments)
      math(EXPR n "${n} + 1")
      if(segment STREQUAL "")
        set(problem "segment ${n} is empty")
      elseif(NOT segment MATCHES "^[a-z]")
        set(problem "segment ${n} \"${segment}\" must start with a lowercase letter a-z")
      elseif(NOT segment MATCHES "^[a-z0-9]+$")
        set(problem "segment ${n} \"${segment}\" may contain only a-z and 0-9")
      endif()
      if(problem)
        break()
      endif()
    endforeach()
    if(NOT problem AND count LESS 3)
      set(problem "it needs at least 3 dot-separated segments, has ${count}")
    endif()
  endif()
  set(${out_var} "${problem}" PARENT_SCOPE)
endfunction()

# weft-pack for the build-time check of every package: the target in WEFT's own build, else WEFT_PACK (a cache
# variable: -DWEFT_PACK=<path>), found in PATH or in this checkout's build trees.
function(_weft_pack_tool out_var)
  if(TARGET weft-pack)
    set(${out_var} "$<TARGET_FILE:weft-pack>" PARENT_SCOPE)
    return()
  endif()
  find_program(WEFT_PACK NAMES weft-pack HINTS "${WEFT_SDK_DIR}/../build/debug/bin" "${WEFT_SDK_DIR}/../build/release/bin"
               DOC "weft-pack, checks each package as it is built")
  set(${out_var} "${WEFT_PACK}" PARENT_SCOPE)
endfunction()

# Assembles the package directory <PACKAGES_DIR>/<app id>/ = wapp.toml + app.wasm + ui/ from a built component,
# signed with KEY (through SIGN_TOOL, a weft-pack executable or target) when both are given.
# MANIFEST is a template: @WEFT_APP_CAPABILITIES@ expands to the TOML array of CAPABILITIES, so the declared
# capabilities live in exactly one place (the CMake call). The target's WEFT_PACKAGE_DIR property names the result.
function(_weft_assemble_package target component_target component)
  cmake_parse_arguments(A "" "MANIFEST;UI;KEY;SIGN_TOOL;PACKAGES_DIR" "CAPABILITIES" ${ARGN})
  foreach(req MANIFEST UI)
    if(NOT A_${req})
      message(FATAL_ERROR "${target}: ${req} is required")
    endif()
  endforeach()
  get_filename_component(manifest "${A_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(ui "${A_UI}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${ui}" OR NOT EXISTS "${ui}/index.html")
    message(FATAL_ERROR "${target}: UI directory ${ui} must exist and hold index.html")
  endif()

  file(READ "${manifest}" manifest_text)
  if(A_CAPABILITIES AND NOT manifest_text MATCHES "@WEFT_APP_CAPABILITIES@")
    message(FATAL_ERROR "${target}: CAPABILITIES given but ${manifest} has no "
                        "`capabilities = @WEFT_APP_CAPABILITIES@` line to receive them")
  endif()
  if(NOT manifest_text MATCHES "\n[ \t]*id[ \t]*=[ \t]*\"([^\"\n]*)\"")
    message(FATAL_ERROR "${target}: ${manifest} has no [package] id = \"<app id>\" line")
  endif()
  set(app_id "${CMAKE_MATCH_1}")
  _weft_app_id_problem("${app_id}" id_problem)
  if(id_problem)
    message(FATAL_ERROR "${target}: ${manifest}: [package] id \"${app_id}\" is not a valid app id: ${id_problem} "
                        "(an app id is three or more dot-separated segments of a-z and 0-9, each starting with a "
                        "letter, e.g. org.example.hello)")
  endif()
  foreach(key module entry)
    if(manifest_text MATCHES "\n[ \t]*${key}[ \t]*=[ \t]*\"([^\"]*)\"")
      set(manifest_${key} "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(NOT manifest_module STREQUAL "app.wasm" OR NOT manifest_entry STREQUAL "ui/index.html")
    message(FATAL_ERROR "${target}: ${manifest} must say module = \"app.wasm\" and "
                        "entry = \"ui/index.html\" (the layout that is assembled)")
  endif()

  if(NOT A_PACKAGES_DIR)
    set(A_PACKAGES_DIR "${CMAKE_BINARY_DIR}/packages")
  endif()
  set(pkg "${A_PACKAGES_DIR}/${app_id}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir")
  _weft_toml_string_array(WEFT_APP_CAPABILITIES ${A_CAPABILITIES})
  configure_file("${manifest}" "${dir}/wapp.toml" @ONLY)

  file(GLOB_RECURSE ui_files CONFIGURE_DEPENDS "${ui}/*")
  set(stamp "${dir}/package.stamp")
  # `weft-pack check` on every build, before signing: a package weft-pack would refuse to install (an unknown
  # manifest key or capability, a component importing what WEFT does not provide) is a build error.
  _weft_pack_tool(check_tool)
  set(check_cmd "")
  set(check_depends "")
  if(check_tool)
    set(check_cmd COMMAND "${check_tool}" check "${pkg}")
    if(TARGET weft-pack)
      set(check_depends weft-pack)
    endif()
  else()
    message(WARNING "${target}: weft-pack not found, so the package is not checked while it is built; put WEFT's "
                    "build/debug/bin on PATH or pass -DWEFT_PACK=<path to weft-pack>")
  endif()
  set(sign_cmd "")
  if(A_KEY AND A_SIGN_TOOL)
    if(TARGET ${A_SIGN_TOOL})
      set(tool "$<TARGET_FILE:${A_SIGN_TOOL}>")
    else()
      if(NOT IS_ABSOLUTE "${A_SIGN_TOOL}")
        find_program(_weft_sign_tool_${target} NAMES "${A_SIGN_TOOL}")
        if(NOT _weft_sign_tool_${target})
          message(FATAL_ERROR "${target}: SIGN_TOOL ${A_SIGN_TOOL} is neither a target nor a program in PATH; "
                              "give its path, e.g. SIGN_TOOL <weft>/build/debug/bin/weft-pack")
        endif()
        set(A_SIGN_TOOL "${_weft_sign_tool_${target}}")
      endif()
      set(tool "${A_SIGN_TOOL}")
    endif()
    get_filename_component(key "${A_KEY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT TARGET ${A_SIGN_TOOL} AND NOT EXISTS "${key}")
      message(FATAL_ERROR "${target}: KEY ${A_KEY} does not exist (CMake does not expand ~: write $ENV{HOME}/… or "
                          "\$ENV{HOME}/…)")
    endif()
    set(A_KEY "${key}")
    set(sign_cmd COMMAND "${tool}" sign "${pkg}" --key "${A_KEY}")
  elseif(A_KEY OR A_SIGN_TOOL)
    message(FATAL_ERROR "${target}: KEY and SIGN_TOOL go together")
  endif()
  add_custom_command(OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} -E rm -rf "${pkg}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${pkg}"
    COMMAND ${CMAKE_COMMAND} -E copy "${dir}/wapp.toml" "${pkg}/"
    COMMAND ${CMAKE_COMMAND} -E copy "${component}" "${pkg}/app.wasm"
    COMMAND ${CMAKE_COMMAND} -E copy_directory "${ui}" "${pkg}/ui"
    ${check_cmd}
    ${sign_cmd}
    COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
    DEPENDS "${component}" "${dir}/wapp.toml" ${ui_files} ${A_KEY} ${A_SIGN_TOOL} ${check_depends}
    COMMENT "Assembling WEFT package ${app_id}" VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${stamp}")
  add_dependencies(${target} ${component_target})
  set_target_properties(${target} PROPERTIES WEFT_PACKAGE_DIR "${pkg}" WEFT_APP_ID "${app_id}"
                                             WEFT_COMPONENT "${component}")
endfunction()

set(_WEFT_PACKAGE_ONE MANIFEST UI KEY SIGN_TOOL PACKAGES_DIR CACHE INTERNAL "one-value package arguments")

# A C/C++ app: weft_add_component + the package (see _weft_assemble_package).
function(weft_add_app target)
  cmake_parse_arguments(A "" "WIT;WORLD;${_WEFT_PACKAGE_ONE}"
                        "SOURCES;CAPABILITIES;INCLUDE_DIRS;DEFINES;COMPILE_OPTIONS;LIBRARIES" ${ARGN})
  _weft_no_unparsed(A weft_add_app ${target})
  set(component "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir/app.wasm")
  weft_add_component(${target}_component SOURCES ${A_SOURCES} WIT "${A_WIT}" WORLD "${A_WORLD}" OUTPUT "${component}"
                     INCLUDE_DIRS ${A_INCLUDE_DIRS} DEFINES ${A_DEFINES} COMPILE_OPTIONS ${A_COMPILE_OPTIONS}
                     LIBRARIES ${A_LIBRARIES})
  _weft_forward_package_args(forward)
  _weft_assemble_package(${target} ${target}_component "${component}" ${forward})
endfunction()

# A JavaScript app: weft_add_js_component + the package.
function(weft_add_js_app target)
  cmake_parse_arguments(A "" "SOURCE;WIT;WORLD;${_WEFT_PACKAGE_ONE}" "CAPABILITIES;DEPENDS" ${ARGN})
  _weft_no_unparsed(A weft_add_js_app ${target})
  set(component "${CMAKE_CURRENT_BINARY_DIR}/${target}.dir/app.wasm")
  weft_add_js_component(${target}_component SOURCE "${A_SOURCE}" WIT "${A_WIT}" WORLD "${A_WORLD}"
                        OUTPUT "${component}" DEPENDS ${A_DEPENDS})
  _weft_forward_package_args(forward)
  _weft_assemble_package(${target} ${target}_component "${component}" ${forward})
endfunction()

# The package arguments of the caller (parsed with prefix A_) as a list to pass on.
macro(_weft_forward_package_args out_var)
  set(${out_var} CAPABILITIES ${A_CAPABILITIES})
  foreach(_weft_key IN LISTS _WEFT_PACKAGE_ONE)
    if(A_${_weft_key})
      list(APPEND ${out_var} ${_weft_key} "${A_${_weft_key}}")
    endif()
  endforeach()
endmacro()

function(weft_add_js_component target)
  cmake_parse_arguments(C "WITH_HTTP" "SOURCE;WIT;WORLD;OUTPUT" "DEPENDS" ${ARGN})
  _weft_component_args(weft_add_js_component ${target} SOURCE WIT WORLD)
  get_filename_component(source "${C_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  # WITH_HTTP keeps componentize-js's fetch() (it then imports wasi:http, served under the app's net:fetch grants).
  set(stage_options WITH_WASI)
  set(disabled http fetch-event)
  if(C_WITH_HTTP)
    list(APPEND stage_options WITH_HTTP)
    set(disabled fetch-event)
  endif()
  _weft_stage_wit(${target} "${C_WIT}" stage ${stage_options})
  add_custom_command(OUTPUT "${C_OUTPUT}"
    COMMAND "${WEFT_JCO}" componentize "${source}" --wit "${stage}" -n "${C_WORLD}" -d ${disabled}
            -o "${C_OUTPUT}"
    DEPENDS "${source}" "${stage_STAMP}" ${C_DEPENDS}
    COMMENT "Componentizing JavaScript ${C_OUTPUT}" VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${C_OUTPUT}")
  set_target_properties(${target} PROPERTIES WEFT_COMPONENT "${C_OUTPUT}")
endfunction()
