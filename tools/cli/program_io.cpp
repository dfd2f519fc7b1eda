// SPDX-License-Identifier: Apache-2.0
#include "program_io.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "command.h"
#include "progress.h"
#include "support/npy.h"

namespace tinyexec::cli {

using program_reader::ProgramInfo;
using program_reader::TensorInfo;

ProgramInputs load_program_inputs(const ProgramInfo& program,
                                  const std::vector<std::string>& files) {
  if (files.size() != program.inputs.size()) {
    throw UsageError(fmt::format("{} has {} input(s); give one --input file for each (given {})",
                                 program.path, program.inputs.size(), files.size()));
  }
  ProgramInputs result;
  size_t samples = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const TensorInfo& input = program.tensors[static_cast<size_t>(program.inputs[i])];
    const ir::Tensor tensor = support::read_npy(files[i]);
    const std::string wanted =
        fmt::format("input {} '{}' of {} is {}", i, input.name, program.path, input.type_string());
    if (tensor.dtype() != input.dtype) {
      fail("{}: holds {} data {}; {} (convert it, e.g. numpy's x.astype(np.{}))", files[i],
           ir::dtype_name(tensor.dtype()), ir::shape_string(tensor.shape()), wanted,
           input.dtype == ir::DType::kFloat32 ? "float32" : "int8");
    }
    const int64_t numel = ir::shape_numel(input.shape);
    size_t count = 0;
    bool stacked = false;
    if (tensor.numel() == numel) {
      count = 1;
    } else if (tensor.rank() >= 1 && tensor.shape()[0] > 0 &&
               tensor.numel() / tensor.shape()[0] == numel) {
      count = static_cast<size_t>(tensor.shape()[0]);
      stacked = true;
    } else {
      fail(
          "{}: shape {} holds neither one sample ({} elements) nor a stack of samples along its "
          "first axis; {}",
          files[i], ir::shape_string(tensor.shape()), numel, wanted);
    }
    if (i == 0) {
      samples = count;
      result.stacked = stacked;
      result.samples.resize(samples);
    } else if (count != samples) {
      fail("{}: holds {} samples, {} holds {}", files[i], count, files[0], samples);
    }
    const auto bytes = tensor.bytes();
    const size_t each = static_cast<size_t>(input.bytes);
    for (size_t s = 0; s < count; ++s) {
      result.samples[s].emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(s * each),
                                     bytes.begin() + static_cast<std::ptrdiff_t>((s + 1) * each));
    }
  }
  return result;
}

ProgramInputs zero_program_inputs(const ProgramInfo& program) {
  ProgramInputs result;
  result.samples.resize(1);
  for (int32_t index : program.inputs) {
    result.samples[0].emplace_back(
        static_cast<size_t>(program.tensors[static_cast<size_t>(index)].bytes), 0);
  }
  return result;
}

ir::Tensor output_tensor(const ProgramInfo& program, size_t index,
                         const std::vector<runner::RunResult>& results, bool stacked) {
  const TensorInfo& output = program.tensors[static_cast<size_t>(program.outputs.at(index))];
  ir::Shape shape = output.shape;
  if (stacked) shape.insert(shape.begin(), static_cast<int64_t>(results.size()));
  ir::Tensor tensor(output.dtype, shape);
  auto bytes = tensor.mutable_bytes();
  size_t at = 0;
  for (const runner::RunResult& result : results) {
    const std::vector<uint8_t>& raw = result.outputs.at(index);
    if (raw.size() != static_cast<size_t>(output.bytes)) {
      throw TargetError(
          fmt::format("output {} has {} bytes, expected {}", index, raw.size(), output.bytes));
    }
    std::copy(raw.begin(), raw.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
    at += raw.size();
  }
  return tensor;
}

std::vector<runner::RunResult> run_samples(const std::string& target,
                                           const std::vector<uint8_t>& program,
                                           const std::vector<runner::RawSample>& samples,
                                           const runner::RunOptions& options) {
  Progress progress(fmt::format("{}", target == "host" ? "running" : target), samples.size());
  try {
    return runner::run_program_batch(target, program, samples, options,
                                     [&](size_t done) { progress.update(done); });
  } catch (const std::exception& error) {
    throw TargetError(error.what());
  }
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) fail("{}: cannot open the file", path);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

ProgramTotals program_totals(const ProgramInfo& program,
                             const std::vector<program_reader::OperatorFigures>& figures) {
  ProgramTotals totals;
  for (size_t i = 0; i < figures.size(); ++i) {
    totals.macs += figures[i].macs;
    totals.peak_live_bytes = std::max(totals.peak_live_bytes, figures[i].live_bytes);
    ++totals.kinds[program.operators[i].kind];
  }
  for (const TensorInfo& tensor : program.tensors) {
    if (tensor.is_constant()) totals.weight_bytes += tensor.bytes;
  }
  return totals;
}

}  // namespace tinyexec::cli
