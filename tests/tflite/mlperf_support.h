// SPDX-License-Identifier: Apache-2.0
// Shared by the MLPerf Tiny TFLite test and benchmark: where the models are, the reference
// input pattern, FNV-1a, and reading the runner's per-layer hash lines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace tinyexec::tflite_test {

// ../shared/models/mlperf-tiny (TE_SHARED_DIR at configure time); empty when absent.
std::filesystem::path mlperf_dir();

// The four models of tflm_reference.json and their short keys in tflm_cost_on_qemu.
struct MlperfModel {
  const char* file;
  const char* key;
};
inline constexpr MlperfModel kReferenceModels[] = {{"pretrainedResnet_quant.tflite", "ic"},
                                                   {"kws_ref_model.tflite", "kws"},
                                                   {"vww_96_int8.tflite", "vww"},
                                                   {"ad01_int8.tflite", "ad"}};

// x[i] = ((i * 7 + 3) % 256) - 128 (tflm_reference.json's pattern_input).
std::vector<uint8_t> pattern_input(int64_t elements);

// FNV-1a 32-bit (offset basis 2166136261, prime 16777619) over the bytes.
uint32_t fnv1a(std::span<const uint8_t> bytes);

// "layer <i> fnv1a 0x<hex>" lines of the runner's console: program operator index -> hash.
std::map<int32_t, uint32_t> parse_layer_hashes(const std::string& console);

// The program's operator names, in order (the emitted graph's node names).
std::vector<std::string> operator_names(std::span<const uint8_t> program);

std::vector<uint8_t> read_file(const std::filesystem::path& path);

}  // namespace tinyexec::tflite_test
