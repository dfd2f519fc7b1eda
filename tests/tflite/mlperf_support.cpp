// SPDX-License-Identifier: Apache-2.0
#include "mlperf_support.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/error.h"
#include "tinyexec/program/program_generated.h"

namespace tinyexec::tflite_test {

std::filesystem::path mlperf_dir() {
  const std::filesystem::path dir = std::filesystem::path(TE_SHARED_DIR) / "models/mlperf-tiny";
  return std::string(TE_SHARED_DIR).empty() || !std::filesystem::is_directory(dir)
             ? std::filesystem::path()
             : dir;
}

std::vector<uint8_t> pattern_input(int64_t elements) {
  std::vector<uint8_t> bytes(static_cast<size_t>(elements));
  for (int64_t i = 0; i < elements; ++i) {
    bytes[static_cast<size_t>(i)] =
        static_cast<uint8_t>(static_cast<int8_t>(((i * 7 + 3) % 256) - 128));
  }
  return bytes;
}

uint32_t fnv1a(std::span<const uint8_t> bytes) {
  uint32_t hash = 2166136261u;
  for (uint8_t b : bytes) hash = (hash ^ b) * 16777619u;
  return hash;
}

std::map<int32_t, uint32_t> parse_layer_hashes(const std::string& console) {
  std::map<int32_t, uint32_t> hashes;
  std::istringstream lines(console);
  std::string line;
  while (std::getline(lines, line)) {
    long index = 0;
    unsigned long hash = 0;
    if (std::sscanf(line.c_str(), "layer %ld fnv1a 0x%lx", &index, &hash) == 2) {
      hashes[static_cast<int32_t>(index)] = static_cast<uint32_t>(hash);
    }
  }
  return hashes;
}

std::vector<std::string> operator_names(std::span<const uint8_t> program) {
  const auto* p = ::tinyexec::program::GetProgram(program.data());
  std::vector<std::string> names;
  for (const auto* op : *p->operators()) {
    names.push_back(op->name() != nullptr ? op->name()->str() : "");
  }
  return names;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) fail("cannot read '{}'", path.string());
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace tinyexec::tflite_test
