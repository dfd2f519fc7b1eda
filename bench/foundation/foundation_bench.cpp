// SPDX-License-Identifier: Apache-2.0
// Sanity figures for the instruction counter: an empty region, a known loop, memcpy, and a
// scalar int8 dot product (the reference point the kernel benchmarks build on).
#include <cstdint>
#include <cstring>

#include "bench.h"
#include "tinyexec/target/icount.h"

namespace {

alignas(16) int8_t a_vec[1024];
alignas(16) int8_t b_vec[1024];
alignas(16) uint8_t copy_source[4096];
alignas(16) uint8_t copy_target[4096];

__attribute__((noinline)) int32_t dot_s8(const int8_t* a, const int8_t* b, int n) {
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

volatile int32_t g_sink;

int main() {
  using tinyexec::bench::report;
  tinyexec::target::InstructionCounter counter;
  for (int i = 0; i < 1024; ++i) {
    a_vec[i] = static_cast<int8_t>(i * 37);
    b_vec[i] = static_cast<int8_t>(i * 11 + 3);
  }

  counter.start();
  const uint64_t empty = counter.stop();
  report("foundation", "empty region", empty, 1, "region");

  counter.start();
  __asm__ volatile("mov r0, #1000\n1: subs r0, #1\n bne 1b\n" ::: "r0", "cc");
  report("foundation", "subs/bne loop x1000", counter.stop(), 1000, "iteration");

  counter.start();
  std::memcpy(copy_target, copy_source, sizeof copy_target);
  __asm__ volatile("" : : "r"(copy_target) : "memory");  // the copy must happen
  report("foundation", "memcpy 4096 B", counter.stop(), 4096, "byte");

  counter.start();
  g_sink = dot_s8(a_vec, b_vec, 1024);
  report("foundation", "scalar int8 dot 1024", counter.stop(), 1024, "MAC");
  return 0;
}
