// SPDX-License-Identifier: Apache-2.0
// The newlib system calls that printf and friends need, on semihosting. Test programs print
// through them; kernels and the runtime never call them.
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>

#include "semihosting.h"

namespace sh = tinyexec::target::semihosting;

extern "C" {
extern char __heap_start;  // from targets/common/link.ld
extern char __heap_end;

int _write(int fd, const char* data, int size) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  const int32_t not_written = sh::write(sh::console_out(), data, static_cast<size_t>(size));
  return size - not_written;
}

int _read(int fd, char* data, int size) {
  if (fd != 0) {
    errno = EBADF;
    return -1;
  }
  return size - sh::read(sh::console_in(), data, static_cast<size_t>(size));
}

// Heap for newlib's own stdio buffers only (device code has no heap).
void* _sbrk(ptrdiff_t increment) {
  static char* brk = &__heap_start;
  if (increment > &__heap_end - brk) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  char* previous = brk;
  brk += increment;
  return previous;
}

void _exit(int code) { sh::exit(code); }
int _close(int) { return -1; }
int _lseek(int, int, int) { return 0; }
int _fstat(int, struct stat* status) {
  status->st_mode = S_IFCHR;
  return 0;
}
int _isatty(int) { return 1; }
int _kill(int, int) {
  errno = EINVAL;
  return -1;
}
int _getpid() { return 1; }
}
