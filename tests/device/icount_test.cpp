// SPDX-License-Identifier: Apache-2.0
// The instruction counter is exact: a loop of N iterations of two instructions (subs, bne)
// after one mov costs exactly 2N + 1 instructions, at N and at 2N, and a repeated measurement
// gives the same count.
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "check.h"
#include "tinyexec/target/icount.h"

namespace {

uint64_t count_loop(tinyexec::target::InstructionCounter& counter, uint32_t iterations) {
  counter.start();
  __asm__ volatile(
      "mov r0, %0\n"
      "1: subs r0, #1\n"
      "bne 1b\n"
      :
      : "r"(iterations)
      : "r0", "cc");
  return counter.stop();
}

}  // namespace

int main() {
  TE_EXPECT(tinyexec::target::instruction_count_available());
  tinyexec::target::InstructionCounter counter;
  for (uint32_t n : {1000u, 2000u, 12345u}) {
    const uint64_t first = count_loop(counter, n);
    const uint64_t second = count_loop(counter, n);
    std::printf("loop of %lu iterations: %lu instructions (again: %lu)\n",
                static_cast<unsigned long>(n), static_cast<unsigned long>(first),
                static_cast<unsigned long>(second));
    TE_EXPECT_EQ(first, 2ull * n + 1);
    TE_EXPECT_EQ(second, first);
  }
  // The whole run so far is counted too, and grows.
  const uint64_t before = tinyexec::target::instructions_executed();
  TE_EXPECT(before > 0);
  TE_EXPECT(tinyexec::target::instructions_executed() > before);
  return tinyexec::test::g_failures;
}
