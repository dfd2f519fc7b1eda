// SPDX-License-Identifier: Apache-2.0
// Host file access for programs that run on both the host and an emulated board. On a board it
// goes through Arm semihosting (QEMU serves the host's files); on the host through stdio. Paths
// are host paths, relative ones resolved against the directory the program (or QEMU) runs in.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinyexec::target {

// Reads a whole file into buffer. Returns the number of bytes read, -1 if the file cannot be
// opened or read, -2 if it is larger than capacity (nothing useful is left in buffer then).
int32_t read_file(const char* path, void* buffer, size_t capacity);

// Creates or truncates path and writes size bytes. Returns true on success.
bool write_file(const char* path, const void* data, size_t size);

}  // namespace tinyexec::target
