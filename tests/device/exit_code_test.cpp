// SPDX-License-Identifier: Apache-2.0
// main()'s return value is QEMU's exit status (SYS_EXIT_EXTENDED); CTest expects 42.
#include <cstdio>

int main() {
  std::printf("returning 42\n");
  return 42;
}
