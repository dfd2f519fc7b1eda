// SPDX-License-Identifier: Apache-2.0
// The placeholder demo until the model demo exists: a small int8 computation on the board,
// with the exact number of instructions it took.
#include <cstdint>
#include <cstdio>

#include "tinyexec/target/icount.h"

namespace {

// A 16 x 64 int8 matrix times a 64-vector: 1024 multiply-accumulates.
int8_t weights[16][64];
int8_t input[64];
int32_t output[16];

__attribute__((noinline)) void matvec() {
  for (int row = 0; row < 16; ++row) {
    int32_t sum = 0;
    for (int col = 0; col < 64; ++col) sum += weights[row][col] * input[col];
    output[row] = sum;
  }
}

}  // namespace

int main() {
  for (int row = 0; row < 16; ++row) {
    for (int col = 0; col < 64; ++col) weights[row][col] = static_cast<int8_t>(row * 7 - col * 3);
  }
  for (int col = 0; col < 64; ++col) input[col] = static_cast<int8_t>(col - 32);

  tinyexec::target::InstructionCounter counter;
  counter.start();
  matvec();
  const uint64_t instructions = counter.stop();

  std::printf("Hello from tinyexec on the board!\n");
  std::printf("int8 matrix-vector product, 16x64: output[0]=%ld output[15]=%ld\n",
              static_cast<long>(output[0]), static_cast<long>(output[15]));
  if (tinyexec::target::instruction_count_available()) {
    std::printf("instructions for 1024 MACs: %lu (%lu.%02lu per MAC)\n",
                static_cast<unsigned long>(instructions),
                static_cast<unsigned long>(instructions / 1024),
                static_cast<unsigned long>((instructions % 1024) * 100 / 1024));
  } else {
    std::printf("(instruction counts are available on the emulated boards)\n");
  }
  return 0;
}
