// SPDX-License-Identifier: Apache-2.0
#include "semihosting.h"
#include "tinyexec/target/io.h"

namespace tinyexec::target {

int32_t read_file(const char* path, void* buffer, size_t capacity) {
  if (path == nullptr || (buffer == nullptr && capacity != 0)) return -1;
  const int32_t handle = semihosting::open(path, semihosting::kReadBinary);
  if (handle < 0) return -1;
  const int32_t length = semihosting::file_length(handle);
  int32_t result = length;
  if (length < 0) {
    result = -1;
  } else if (static_cast<size_t>(length) > capacity) {
    result = -2;
  } else if (length > 0 && semihosting::read(handle, buffer, static_cast<size_t>(length)) != 0) {
    result = -1;
  }
  semihosting::close(handle);
  return result;
}

bool write_file(const char* path, const void* data, size_t size) {
  if (path == nullptr || (data == nullptr && size != 0)) return false;
  const int32_t handle = semihosting::open(path, semihosting::kWriteBinary);
  if (handle < 0) return false;
  const bool written = size == 0 || semihosting::write(handle, data, size) == 0;
  return semihosting::close(handle) == 0 && written;
}

}  // namespace tinyexec::target
