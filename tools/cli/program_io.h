// SPDX-License-Identifier: Apache-2.0
// Program inputs from .npy files and outputs back to .npy, and runs on a target with a progress
// bar, for `run` and `analyze`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/tensor.h"
#include "program_reader/program_reader.h"
#include "runner/run_program.h"

namespace tinyexec::cli {

struct ProgramInputs {
  std::vector<runner::RawSample> samples;
  bool stacked = false;  // the files had a leading samples axis
};

// One .npy file per program input (in order). Each holds one sample (as many elements as the
// input, any shape: [1,28,28] for [1,1,28,28]) or a stack along its first axis ([300,1,28,28]);
// its dtype must be the input's (f32 for float-interface programs). Every file must hold the
// same number of samples. Errors (CompileError) name the file, its type and the input's.
ProgramInputs load_program_inputs(const program_reader::ProgramInfo& program,
                                  const std::vector<std::string>& files);

// Zero-filled inputs, one sample.
ProgramInputs zero_program_inputs(const program_reader::ProgramInfo& program);

// Output `index` of every result as one tensor: the output's shape, with a leading samples axis
// when `stacked`.
ir::Tensor output_tensor(const program_reader::ProgramInfo& program, size_t index,
                         const std::vector<runner::RunResult>& results, bool stacked);

// Runs every sample on `target` (runner::run_program_batch) behind a progress bar; any failure
// becomes a TargetError (exit code 3): the program was verified on the host already.
std::vector<runner::RunResult> run_samples(const std::string& target,
                                           const std::vector<uint8_t>& program,
                                           const std::vector<runner::RawSample>& samples,
                                           const runner::RunOptions& options);

std::vector<uint8_t> read_file_bytes(const std::string& path);

// Whole-program figures (the sums of program_reader::operator_figures).
struct ProgramTotals {
  int64_t macs = 0;
  int64_t weight_bytes = 0;  // constant tensors, each counted once, without padding
  int64_t peak_live_bytes = 0;
  std::map<std::string, int> kinds;  // operator kind -> count
};
ProgramTotals program_totals(const program_reader::ProgramInfo& program,
                             const std::vector<program_reader::OperatorFigures>& figures);

}  // namespace tinyexec::cli
