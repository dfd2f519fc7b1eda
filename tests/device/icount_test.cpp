// SPDX-License-Identifier: Apache-2.0
// The instruction counter is exact: a loop of N iterations of two instructions (subs, bne)
// costs exactly 2 more instructions per extra iteration (N vs 2N: exactly 2N more), and a
// repeated measurement gives the same count.
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "check.h"
#include "tinyexec/target/icount.h"

namespace {

// Out of line, so that every measurement runs the very same instructions around the loop.
__attribute__((noinline)) void spin(uint32_t iterations) {
  __asm__ volatile(
      "mov r0, %0\n"
      "1: subs r0, #1\n"
      "bne 1b\n"
      :
      : "r"(iterations)
      : "r0", "cc");
}

__attribute__((noinline)) uint64_t measure(tinyexec::target::InstructionCounter& counter,
                                           uint32_t iterations) {
  counter.start();
  spin(iterations);
  return counter.stop();
}

}  // namespace

int main() {
  TE_EXPECT(tinyexec::target::instruction_count_available());
  tinyexec::target::InstructionCounter counter;
  const uint64_t one = measure(counter, 1);
  // The call, the mov and the return around the loop: a handful of instructions.
  std::printf("1 iteration: %lu instructions\n", static_cast<unsigned long>(one));
  TE_EXPECT(one >= 2 && one <= 12);
  for (uint32_t n : {1000u, 2000u, 12345u}) {
    const uint64_t first = measure(counter, n);
    const uint64_t second = measure(counter, n);
    std::printf("%lu iterations: %lu instructions (again: %lu)\n", static_cast<unsigned long>(n),
                static_cast<unsigned long>(first), static_cast<unsigned long>(second));
    TE_EXPECT_EQ(first - one, 2ull * (n - 1));
    TE_EXPECT_EQ(second, first);
  }
  TE_EXPECT_EQ(measure(counter, 2000) - measure(counter, 1000), 2000);
  // The whole run so far is counted too, and grows.
  const uint64_t before = tinyexec::target::instructions_executed();
  TE_EXPECT(before > 0);
  TE_EXPECT(tinyexec::target::instructions_executed() > before);
  return tinyexec::test::g_failures;
}
