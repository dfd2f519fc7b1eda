// SPDX-License-Identifier: Apache-2.0
// Calibration inputs from .npy files (declared in quantizer/quantizer.h).
#include <algorithm>
#include <cstring>

#include "quantizer/quantizer.h"
#include "support/npy.h"

namespace tinyexec::quantizer {
namespace {

const ir::Value& single_input(const ir::Graph& graph, const std::string& source) {
  if (graph.inputs().size() != 1) {
    fail("{}: calibration data from .npy files needs a graph with one input, this one has {}",
         source, graph.inputs().size());
  }
  return *graph.inputs().front();
}

ir::Tensor as_sample(const ir::Tensor& tensor, const ir::Value& input, const std::string& what) {
  if (tensor.dtype() != input.dtype || tensor.numel() != input.numel()) {
    fail(
        "{} is {}{}; the input '{}' is {} (the same element type and number of elements are "
        "needed)",
        what, ir::dtype_name(tensor.dtype()), ir::shape_string(tensor.shape()), input.name,
        input.type_string());
  }
  return tensor.reshaped(input.shape);
}

}  // namespace

std::vector<std::vector<ir::Tensor>> load_samples_from_folder(const ir::Graph& graph,
                                                              const std::filesystem::path& folder) {
  const ir::Value& input = single_input(graph, folder.string());
  if (!std::filesystem::is_directory(folder)) fail("{}: not a folder", folder.string());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".npy")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty())
    fail("{}: no .npy files (one per calibration sample expected)", folder.string());
  std::vector<std::vector<ir::Tensor>> samples;
  for (const auto& file : files) {
    samples.push_back({as_sample(support::read_npy(file), input, file.string())});
  }
  return samples;
}

std::vector<std::vector<ir::Tensor>> load_stacked_samples(const ir::Graph& graph,
                                                          const std::filesystem::path& file) {
  const ir::Value& input = single_input(graph, file.string());
  const ir::Tensor stacked = support::read_npy(file);
  if (stacked.rank() < 1 || stacked.shape()[0] == 0) {
    fail("{}: shape {}; the first axis must index at least one sample", file.string(),
         ir::shape_string(stacked.shape()));
  }
  const int64_t count = stacked.shape()[0];
  const ir::Shape sample_shape(stacked.shape().begin() + 1, stacked.shape().end());
  const size_t sample_bytes = stacked.bytes().size() / static_cast<size_t>(count);
  std::vector<std::vector<ir::Tensor>> samples;
  for (int64_t s = 0; s < count; ++s) {
    ir::Tensor sample(stacked.dtype(), sample_shape);
    std::memcpy(sample.mutable_bytes().data(),
                stacked.bytes().data() + static_cast<size_t>(s) * sample_bytes, sample_bytes);
    samples.push_back({as_sample(sample, input, fmt::format("{}: sample {}", file.string(), s))});
  }
  return samples;
}

}  // namespace tinyexec::quantizer
