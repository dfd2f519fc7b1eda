// SPDX-License-Identifier: Apache-2.0
// State the startup code hands to the rest of targets/.
#pragma once

// The runner (targets/qemu/run) passes "--te-icount=PATH" on the command line: the file where
// the instruction counter plugin publishes its count. Taken out of argv before main().
inline constexpr const char* kIcountFileOption = "--te-icount=";
extern const char* g_icount_file;  // nullptr when the plugin is not attached
