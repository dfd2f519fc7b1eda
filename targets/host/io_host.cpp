// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include "tinyexec/target/io.h"

namespace tinyexec::target {

int32_t read_file(const char* path, void* buffer, size_t capacity) {
  if (path == nullptr || (buffer == nullptr && capacity != 0)) return -1;
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) return -1;
  int32_t result = -1;
  if (std::fseek(file, 0, SEEK_END) == 0) {
    const long length = std::ftell(file);
    if (length >= 0 && static_cast<unsigned long>(length) > capacity) {
      result = -2;
    } else if (length >= 0 && std::fseek(file, 0, SEEK_SET) == 0 &&
               std::fread(buffer, 1, static_cast<size_t>(length), file) ==
                   static_cast<size_t>(length)) {
      result = static_cast<int32_t>(length);
    }
  }
  std::fclose(file);
  return result;
}

bool write_file(const char* path, const void* data, size_t size) {
  if (path == nullptr || (data == nullptr && size != 0)) return false;
  std::FILE* file = std::fopen(path, "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(data, 1, size, file) == size;
  return std::fclose(file) == 0 && written;
}

}  // namespace tinyexec::target
