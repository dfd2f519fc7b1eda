// SPDX-License-Identifier: Apache-2.0
// tinyexec_runner: runs one program on the build's target (the host, or a board under QEMU).
//
//   tinyexec_runner PROGRAM.tep [--input FILE]... [--output FILE]... [--profile]
//
// Each --input file holds the raw bytes of one graph input (in order; exactly its size), each
// --output file receives the raw bytes of one graph output. Prints the instructions one
// inference takes (boards with the counter plugin) and, with --profile, per operator.
// Exit status: 0 ok, 1 usage, 4 load, 5 init, 6 execute, 7 file I/O.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "tinyexec/runtime/executor.h"
#include "tinyexec/target/icount.h"
#include "tinyexec/target/io.h"

namespace {

using tinyexec::runtime::Error;
using tinyexec::runtime::error_name;
namespace target = tinyexec::target;

#ifndef TE_RUNNER_PROGRAM_BYTES
#define TE_RUNNER_PROGRAM_BYTES (1024 * 1024)
#endif
#ifndef TE_RUNNER_ARENA_BYTES
#define TE_RUNNER_ARENA_BYTES (1024 * 1024)
#endif
constexpr int kMaxFiles = 16;
constexpr int kMaxOperators = 1024;

alignas(16) uint8_t program_bytes[TE_RUNNER_PROGRAM_BYTES];
alignas(16) uint8_t arena[TE_RUNNER_ARENA_BYTES];
uint64_t operator_instructions[kMaxOperators];

// newlib-nano's printf has no %llu.
const char* u64(uint64_t value, char (&text)[24]) {
  char* p = text + sizeof(text) - 1;
  *p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return p;
}

struct Profile {
  target::InstructionCounter counter;
};

void before_operator(void* context, int32_t) { static_cast<Profile*>(context)->counter.start(); }
void after_operator(void* context, int32_t index) {
  if (index < kMaxOperators) operator_instructions[index] = static_cast<Profile*>(context)->counter.stop();
}

int usage() {
  std::printf(
      "usage: tinyexec_runner PROGRAM.tep [--input FILE]... [--output FILE]... [--profile]\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const char* inputs[kMaxFiles];
  const char* outputs[kMaxFiles];
  int num_inputs = 0, num_outputs = 0;
  bool profile = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--profile") == 0) {
      profile = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--input") == 0 && num_inputs < kMaxFiles) {
      inputs[num_inputs++] = argv[++i];
    } else if (i + 1 < argc && std::strcmp(argv[i], "--output") == 0 && num_outputs < kMaxFiles) {
      outputs[num_outputs++] = argv[++i];
    } else {
      return usage();
    }
  }

  const int32_t size = target::read_file(argv[1], program_bytes, sizeof(program_bytes));
  if (size < 0) {
    std::printf("error: cannot read %s%s\n", argv[1],
                size == -2 ? " (larger than the runner's program buffer)" : "");
    return 7;
  }
  tinyexec::runtime::Program program;
  Error error = program.load(program_bytes, static_cast<size_t>(size));
  if (error != Error::kOk) {
    std::printf("error: %s is not a valid program: %s (tensor %ld, operator %ld)\n", argv[1],
                error_name(error), static_cast<long>(program.failed_tensor()),
                static_cast<long>(program.failed_operator()));
    return 4;
  }
  tinyexec::runtime::Executor executor;
  error = executor.init(program, arena, sizeof(arena));
  if (error != Error::kOk) {
    std::printf("error: cannot prepare %s: %s (operator %ld %s, kernel status %ld; arena %lu of "
                "%lu bytes)\n",
                argv[1], error_name(error), static_cast<long>(executor.failed_operator()),
                executor.operator_name(executor.failed_operator()),
                static_cast<long>(executor.kernel_status()),
                static_cast<unsigned long>(program.arena_bytes()),
                static_cast<unsigned long>(sizeof(arena)));
    return 5;
  }
  if (num_inputs != program.num_inputs() || num_outputs > program.num_outputs()) {
    std::printf("error: the program has %ld inputs and %ld outputs; given %d and %d files\n",
                static_cast<long>(program.num_inputs()), static_cast<long>(program.num_outputs()),
                num_inputs, num_outputs);
    return 1;
  }
  for (int i = 0; i < num_inputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.input(i, &tensor);
    const int32_t read = target::read_file(inputs[i], tensor.data, tensor.bytes);
    if (read != static_cast<int32_t>(tensor.bytes)) {
      std::printf("error: input %d (%s) needs %lu bytes; %s has %s\n", i,
                  tensor.name != nullptr ? tensor.name : "?",
                  static_cast<unsigned long>(tensor.bytes), inputs[i],
                  read < 0 ? "more or cannot be read" : "fewer");
      return 7;
    }
  }

  char text[24];
  std::printf("program: %ld operators, arena %lu bytes\n",
              static_cast<long>(program.num_operators()),
              static_cast<unsigned long>(program.arena_bytes()));
  target::InstructionCounter counter;
  counter.start();
  error = executor.execute();
  const uint64_t instructions = counter.stop();
  if (error != Error::kOk) {
    std::printf("error: operator %ld (%s) failed: %s, kernel status %ld\n",
                static_cast<long>(executor.failed_operator()),
                executor.operator_name(executor.failed_operator()), error_name(error),
                static_cast<long>(executor.kernel_status()));
    return 6;
  }
  if (target::instruction_count_available()) {
    std::printf("instructions per inference: %s\n", u64(instructions, text));
  }
  if (profile && target::instruction_count_available()) {
    // A second run with the hook: per-operator counts (the same work; outputs are rewritten).
    Profile state;
    const tinyexec::runtime::OperatorHook hook{before_operator, after_operator, &state};
    error = executor.execute(&hook);
    if (error != Error::kOk) return 6;
    for (int32_t i = 0; i < program.num_operators() && i < kMaxOperators; ++i) {
      std::printf("operator %ld %s %s: %s instructions\n", static_cast<long>(i),
                  executor.operator_kind(i), executor.operator_name(i),
                  u64(operator_instructions[i], text));
    }
  }
  for (int i = 0; i < num_outputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.output(i, &tensor);
    if (!target::write_file(outputs[i], tensor.data, tensor.bytes)) {
      std::printf("error: cannot write output %d to %s\n", i, outputs[i]);
      return 7;
    }
  }
  return 0;
}
