// SPDX-License-Identifier: Apache-2.0
// Arm semihosting calls (the debugger's, here QEMU's, services for the guest): console, host
// files, the command line and the exit code. Internal to targets/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinyexec::target::semihosting {

enum Op : int32_t {
  kOpen = 0x01,
  kClose = 0x02,
  kWrite = 0x05,
  kRead = 0x06,
  kSeek = 0x0a,
  kFileLength = 0x0c,
  kGetCommandLine = 0x15,
  kExitExtended = 0x20,
};

// Open modes of SYS_OPEN (the index of the fopen mode string).
enum Mode : int32_t { kReadBinary = 1, kWriteBinary = 5, kAppendBinary = 9 };

inline int32_t call(int32_t op, const void* argument) {
  int32_t result;
  __asm__ volatile(
      "mov r0, %1\n"
      "mov r1, %2\n"
      "bkpt 0xab\n"
      "mov %0, r0"
      : "=r"(result)
      : "r"(op), "r"(argument)
      : "r0", "r1", "memory");
  return result;
}

int32_t open(const char* path, int32_t mode);  // handle, or -1
int32_t close(int32_t handle);
// Returns the number of bytes NOT written / NOT read (0 = all), as semihosting does.
int32_t write(int32_t handle, const void* data, size_t size);
int32_t read(int32_t handle, void* data, size_t size);
int32_t file_length(int32_t handle);  // bytes, or -1
[[noreturn]] void exit(int32_t code);

// Handles of the host console (":tt"), opened on first use.
int32_t console_out();
int32_t console_in();

}  // namespace tinyexec::target::semihosting
