# SPDX-License-Identifier: Apache-2.0
# Cross toolchain for the Cortex-M targets (Debian's gcc-arm-none-eabi + newlib-nano).
# The target is chosen with -DTE_TARGET=cortex-mN (the presets do that).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
# try_compile projects see TE_TARGET too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TE_TARGET)
if(NOT TE_TARGET IN_LIST TE_TARGETS)
  message(FATAL_ERROR "TE_TARGET='${TE_TARGET}' is not a known target; expected one of: ${TE_TARGETS}")
endif()
set(TE_TARGET ${TE_TARGET} CACHE STRING "Cortex-M target" FORCE)

set(CMAKE_C_FLAGS_INIT "${TE_TARGET_${TE_TARGET}_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${TE_TARGET_${TE_TARGET}_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${TE_TARGET_${TE_TARGET}_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections")

# Only the cross sysroot: never pick up host headers or libraries.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
