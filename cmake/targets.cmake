# SPDX-License-Identifier: Apache-2.0
# The Cortex-M targets tinyexec builds for: one row per target, the only place to edit when a
# board is added (see docs/design.md). Fields: QEMU machine, QEMU cpu, compiler flags.
set(TE_TARGETS cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55)

set(TE_TARGET_cortex-m3_MACHINE mps2-an385)
set(TE_TARGET_cortex-m3_FLAGS "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")

set(TE_TARGET_cortex-m4_MACHINE mps2-an386)
set(TE_TARGET_cortex-m4_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")

set(TE_TARGET_cortex-m7_MACHINE mps2-an500)
set(TE_TARGET_cortex-m7_FLAGS "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")

set(TE_TARGET_cortex-m33_MACHINE mps2-an505)
set(TE_TARGET_cortex-m33_FLAGS "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")

set(TE_TARGET_cortex-m55_MACHINE mps3-an547)
set(TE_TARGET_cortex-m55_FLAGS "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
