// SPDX-License-Identifier: Apache-2.0
// tinyexec_runner: runs one program on the build's target (the host, or a board under QEMU).
//
//   tinyexec_runner PROGRAM.tep [--input FILE]... [--output FILE]... [--profile] [--count N]
//
// Each --input file holds the raw bytes of one graph input (in order; exactly its size), each
// --output file receives the raw bytes of one graph output. Prints the instructions one
// inference takes (boards with the counter plugin) and, with --profile, per operator.
// With --count N (a batch: one boot of the board for N inferences), each --input file holds N
// samples of that input back to back and each --output file receives N outputs back to back;
// the runner prints one "instructions per inference" line per inference, in order, and profiles
// the first one. A batch's inputs (all files together) and its outputs must each fit in
// TE_RUNNER_BATCH_BYTES.
// With --hash-layers, the first inference prints "layer <i> fnv1a 0x<hex>" after each operator:
// the FNV-1a 32-bit hash of its output's bytes (per-layer comparisons; its instruction count
// then includes the hashing).
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
#ifndef TE_RUNNER_BATCH_BYTES
#define TE_RUNNER_BATCH_BYTES (256 * 1024)
#endif
constexpr int kMaxFiles = 16;
constexpr int kMaxOperators = 1024;

alignas(16) uint8_t program_bytes[TE_RUNNER_PROGRAM_BYTES];
alignas(16) uint8_t arena[TE_RUNNER_ARENA_BYTES];
// Batches (--count N > 1): every input sample, then every output, back to back per file.
alignas(16) uint8_t input_batch[TE_RUNNER_BATCH_BYTES];
alignas(16) uint8_t output_batch[TE_RUNNER_BATCH_BYTES];
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

// --hash-layers: FNV-1a (32-bit) of each operator's output, printed as it is produced.
void hash_operator_output(void* context, int32_t index) {
  tinyexec::runtime::TensorRef tensor;
  if (static_cast<const tinyexec::runtime::Executor*>(context)->operator_output(index, &tensor) !=
      Error::kOk) {
    return;
  }
  uint32_t hash = 2166136261u;
  const auto* bytes = static_cast<const uint8_t*>(tensor.data);
  for (size_t i = 0; i < tensor.bytes; ++i) hash = (hash ^ bytes[i]) * 16777619u;
  std::printf("layer %ld fnv1a 0x%08lx\n", static_cast<long>(index),
              static_cast<unsigned long>(hash));
}

int usage() {
  std::printf(
      "usage: tinyexec_runner PROGRAM.tep [--input FILE]... [--output FILE]... [--profile] "
      "[--count N] [--hash-layers]\n");
  return 1;
}

// A positive decimal count, or -1.
long parse_count(const char* text) {
  long value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || value > 1000000) return -1;
    value = value * 10 + (*p - '0');
  }
  return value >= 1 ? value : -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const char* inputs[kMaxFiles];
  const char* outputs[kMaxFiles];
  int num_inputs = 0, num_outputs = 0;
  bool profile = false;
  bool hash_layers = false;
  long count = 1;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--profile") == 0) {
      profile = true;
    } else if (std::strcmp(argv[i], "--hash-layers") == 0) {
      hash_layers = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--count") == 0) {
      count = parse_count(argv[++i]);
      if (count < 0) return usage();
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
  // Inputs: one inference reads each file straight into the arena; a batch reads every file
  // into input_batch first.
  size_t input_at[kMaxFiles], output_at[kMaxFiles];
  size_t input_total = 0, output_total = 0;
  for (int i = 0; i < num_inputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.input(i, &tensor);
    input_at[i] = input_total;
    input_total += tensor.bytes * static_cast<size_t>(count);
  }
  for (int i = 0; i < num_outputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.output(i, &tensor);
    output_at[i] = output_total;
    output_total += tensor.bytes * static_cast<size_t>(count);
  }
  if (count > 1 && (input_total > sizeof(input_batch) || output_total > sizeof(output_batch))) {
    std::printf("error: a batch of %ld needs %lu input and %lu output bytes; the runner holds %lu "
                "of each (use a smaller --count)\n",
                count, static_cast<unsigned long>(input_total),
                static_cast<unsigned long>(output_total),
                static_cast<unsigned long>(sizeof(input_batch)));
    return 1;
  }
  for (int i = 0; i < num_inputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.input(i, &tensor);
    const size_t want = tensor.bytes * static_cast<size_t>(count);
    void* destination = count > 1 ? static_cast<void*>(input_batch + input_at[i]) : tensor.data;
    const int32_t read = target::read_file(inputs[i], destination, want);
    if (read != static_cast<int32_t>(want)) {
      std::printf("error: input %d (%s) needs %lu bytes%s; %s has %s\n", i,
                  tensor.name != nullptr ? tensor.name : "?", static_cast<unsigned long>(want),
                  count > 1 ? " (the whole batch)" : "", inputs[i],
                  read < 0 ? "more or cannot be read" : "fewer");
      return 7;
    }
  }

  char text[24];
  std::printf("program: %ld operators, arena %lu bytes\n",
              static_cast<long>(program.num_operators()),
              static_cast<unsigned long>(program.arena_bytes()));
  // Puts sample `sample`'s inputs into the arena (again: an inference may reuse their bytes).
  auto load_inputs = [&](long sample) {
    for (int i = 0; i < num_inputs; ++i) {
      tinyexec::runtime::TensorRef tensor;
      executor.input(i, &tensor);
      if (count > 1) {
        const size_t at = input_at[i] + tensor.bytes * static_cast<size_t>(sample);
        std::memcpy(tensor.data, input_batch + at, tensor.bytes);
      } else if (target::read_file(inputs[i], tensor.data, tensor.bytes) !=
                 static_cast<int32_t>(tensor.bytes)) {
        return false;
      }
    }
    return true;
  };
  for (long sample = 0; sample < count; ++sample) {
    if (sample == 0 && profile && target::instruction_count_available()) {
      // Per-operator counts from a separate, hooked run before the measured one; the inputs are
      // loaded again afterwards, so the measured run and the outputs are not affected.
      if (!load_inputs(sample)) return 7;
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
    if (!load_inputs(sample)) return 7;
    target::InstructionCounter counter;
    // --hash-layers hashes during the first inference itself: the arena may reuse a graph
    // input's bytes once it is dead, so a second run would not see the same input.
    const tinyexec::runtime::OperatorHook hash_hook{nullptr, hash_operator_output, &executor};
    counter.start();
    error = executor.execute(sample == 0 && hash_layers ? &hash_hook : nullptr);
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
    if (count > 1) {
      for (int i = 0; i < num_outputs; ++i) {
        tinyexec::runtime::TensorRef tensor;
        executor.output(i, &tensor);
        const size_t at = output_at[i] + tensor.bytes * static_cast<size_t>(sample);
        std::memcpy(output_batch + at, tensor.data, tensor.bytes);
      }
    }
  }
  for (int i = 0; i < num_outputs; ++i) {
    tinyexec::runtime::TensorRef tensor;
    executor.output(i, &tensor);
    const bool written =
        count > 1 ? target::write_file(outputs[i], output_batch + output_at[i],
                                       tensor.bytes * static_cast<size_t>(count))
                  : target::write_file(outputs[i], tensor.data, tensor.bytes);
    if (!written) {
      std::printf("error: cannot write output %d to %s\n", i, outputs[i]);
      return 7;
    }
  }
  return 0;
}
