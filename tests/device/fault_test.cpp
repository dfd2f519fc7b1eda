// SPDX-License-Identifier: Apache-2.0
// A fault is reported by name and ends the program with exit status 3 (CTest expects 3).
#include <cstdio>

int main() {
  std::printf("executing a permanently undefined instruction\n");
  __asm__ volatile("udf #0");
  std::printf("still running after the fault\n");
  return 0;
}
