# SPDX-License-Identifier: Apache-2.0
# Build rules shared by every folder.
#
#   te_device_library(<name> <sources...>)     C++17 device code (no heap/exceptions/RTTI)
#   te_device_executable(<name> <sources...>)  a program that runs on the build's target: a
#                                              plain executable on the host, an ELF for QEMU
#                                              on a board (startup + semihosting linked in)
#   te_add_device_test(NAME n COMMAND exe [ARGS ...] [LABELS ...] [TIMEOUT s] [EXPECT_EXIT n]
#                      [SHARED])               a CTest test of such a program; on a board it
#                                              runs under QEMU with the instruction counter;
#                                              SHARED: it needs ../shared (see below)
#   te_add_host_executable(<name> <sources...>) C++20 host tool (host builds only)
#   te_add_shared_test(NAME n COMMAND ...)      like add_test, for tests that need ../shared:
#                                              label "shared"; skipped (never passed) without it
#   te_add_fuzzer(name SOURCES ... LIBS ... CORPUS dir)
#                                              a libFuzzer target (fuzz preset only), see
#                                              cmake/fuzz.cmake

set(TE_DEVICE_COMPILE_OPTIONS -fno-exceptions -fno-rtti -Wall -Wextra -Werror)
# -Wno-restrict: GCC 12 reports false positives in std::string concatenation at -O3 (GCC bug 105651);
# clang (the fuzz preset) has no such warning and would reject the option.
set(TE_HOST_COMPILE_OPTIONS -Wall -Wextra -Werror $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
set(TE_SKIP_RETURN_CODE 77)

function(te_device_library name)
  add_library(${name} STATIC ${ARGN})
  set_target_properties(${name} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
  target_compile_options(${name} PRIVATE ${TE_DEVICE_COMPILE_OPTIONS})
endfunction()

function(te_device_executable name)
  add_executable(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
  target_compile_options(${name} PRIVATE ${TE_DEVICE_COMPILE_OPTIONS})
  target_link_libraries(${name} PRIVATE tinyexec_target)
  if(TE_IS_DEVICE)
    set_target_properties(${name} PROPERTIES SUFFIX ".elf")
    target_link_options(${name} PRIVATE -Wl,-Map=$<TARGET_FILE:${name}>.map)
  endif()
endfunction()

function(te_add_device_test)
  cmake_parse_arguments(T "SHARED" "NAME;COMMAND;TIMEOUT;EXPECT_EXIT" "ARGS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(T_SHARED)
    list(APPEND T_LABELS shared)
  endif()
  if(T_SHARED AND NOT TE_SHARED_DIR)
    te_add_skipped_test(${T_NAME})
    list(APPEND T_LABELS ${TE_TARGET})
  elseif(TE_IS_DEVICE)
    set(runner ${TE_QEMU_RUN} --timeout ${T_TIMEOUT})
    if(DEFINED T_EXPECT_EXIT)
      list(APPEND runner --expect-exit ${T_EXPECT_EXIT})
    endif()
    add_test(NAME ${T_NAME} COMMAND ${runner} $<TARGET_FILE:${T_COMMAND}> ${T_ARGS})
    list(APPEND T_LABELS device ${TE_TARGET})
  else()
    if(DEFINED T_EXPECT_EXIT)
      message(FATAL_ERROR "EXPECT_EXIT is for board tests")
    endif()
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} ${T_ARGS})
    list(APPEND T_LABELS host)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()

function(te_add_shared_test)
  cmake_parse_arguments(T "" "NAME" "COMMAND;LABELS" ${ARGN})
  if(TE_SHARED_DIR)
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  else()
    te_add_skipped_test(${T_NAME})
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "shared;${T_LABELS}")
endfunction()

# A test that CTest reports as skipped (never passed) because ../shared is missing.
function(te_add_skipped_test name)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E echo "skipped: ../shared not found")
  set_tests_properties(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "skipped: ../shared not found")
endfunction()

function(te_add_host_executable name)
  if(TE_IS_DEVICE)
    message(FATAL_ERROR "te_add_host_executable(${name}) in a board build")
  endif()
  add_executable(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON)
  target_compile_options(${name} PRIVATE ${TE_HOST_COMPILE_OPTIONS})
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/fuzz.cmake)
