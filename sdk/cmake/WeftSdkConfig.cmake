# find_package(WeftSdk) for app projects: configure with CMAKE_PREFIX_PATH=<weft>/sdk (a -D option or an environment
# variable) and the project never names where WEFT is checked out. Provides the functions of WeftApp.cmake.
include("${CMAKE_CURRENT_LIST_DIR}/WeftApp.cmake")
set(WeftSdk_FOUND "${WEFT_SDK_AVAILABLE}")
if(NOT WEFT_SDK_AVAILABLE)
  set(WeftSdk_NOT_FOUND_MESSAGE "the WEFT guest SDK is unavailable (missing: ${WEFT_SDK_MISSING}); run <weft>/scripts/setup")
endif()
