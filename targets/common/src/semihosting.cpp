// SPDX-License-Identifier: Apache-2.0
#include "semihosting.h"

#include <cstring>

namespace tinyexec::target::semihosting {

int32_t open(const char* path, int32_t mode) {
  const uint32_t block[3] = {reinterpret_cast<uint32_t>(path), static_cast<uint32_t>(mode),
                             static_cast<uint32_t>(std::strlen(path))};
  return call(kOpen, block);
}

int32_t close(int32_t handle) {
  const uint32_t block[1] = {static_cast<uint32_t>(handle)};
  return call(kClose, block);
}

int32_t write(int32_t handle, const void* data, size_t size) {
  const uint32_t block[3] = {static_cast<uint32_t>(handle), reinterpret_cast<uint32_t>(data),
                             static_cast<uint32_t>(size)};
  return call(kWrite, block);
}

int32_t read(int32_t handle, void* data, size_t size) {
  const uint32_t block[3] = {static_cast<uint32_t>(handle), reinterpret_cast<uint32_t>(data),
                             static_cast<uint32_t>(size)};
  return call(kRead, block);
}

int32_t file_length(int32_t handle) {
  const uint32_t block[1] = {static_cast<uint32_t>(handle)};
  return call(kFileLength, block);
}

void exit(int32_t code) {
  // SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit: QEMU exits with `code` as its status.
  const uint32_t block[2] = {0x20026u, static_cast<uint32_t>(code)};
  call(kExitExtended, block);
  for (;;) {
  }
}

int32_t console_out() {
  static int32_t handle = -1;
  if (handle < 0) handle = open(":tt", 4);  // mode "w": the host's stdout
  return handle;
}

int32_t console_in() {
  static int32_t handle = -1;
  if (handle < 0) handle = open(":tt", 0);  // mode "r": the host's stdin
  return handle;
}

}  // namespace tinyexec::target::semihosting
