// SPDX-License-Identifier: Apache-2.0
#include "link_map.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "board.h"
#include "support/error.h"

namespace tinyexec::cli {
namespace {

// The kind of an output section, or nullptr for what never reaches the device (debug info).
const char* kind_of(const std::string& section) {
  static const std::pair<const char*, const char*> kinds[] = {{".text", "text"},
                                                              {".rodata", "text"},
                                                              {".ARM.ex", "text"},
                                                              {".data", "data"},
                                                              {".bss", "bss"}};
  for (const auto& [prefix, kind] : kinds) {
    if (section.starts_with(prefix)) return kind;
  }
  return nullptr;
}

// "0x0000abcd": a placement's address or size.
bool is_hex(const std::string& token) {
  if (token.size() < 3 || token[0] != '0' || token[1] != 'x') return false;
  for (size_t i = 2; i < token.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(token[i]))) return false;
  }
  return true;
}

SectionSizes* library_of(CodeSize& sizes, const std::string& origin) {
  if (origin.find("libtinyexec_runtime.a(") != std::string::npos) return &sizes.runtime;
  if (origin.find("libtinyexec_kernels.a(") != std::string::npos) return &sizes.kernels;
  return nullptr;
}

}  // namespace

SectionSizes& SectionSizes::operator+=(const SectionSizes& other) {
  text += other.text;
  data += other.data;
  bss += other.bss;
  return *this;
}

SectionSizes CodeSize::total() const {
  SectionSizes sum = runtime;
  sum += kernels;
  return sum;
}

CodeSize parse_link_map(std::string_view text, std::string_view name) {
  const size_t start = text.find("Linker script and memory map");
  if (start == std::string_view::npos) fail("{}: not a GNU ld link map", name);
  // Input sections appear as " .text.foo  0x00001234  0x40 lib/libtinyexec_kernels.a(conv.o)":
  // a section and its placement on one line; or the section alone on a line (a long name) and
  // "  0x00001234  0x40 origin" on the next.
  CodeSize sizes;
  std::istringstream lines{std::string(text.substr(start))};
  std::string line, section;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;) tokens.push_back(word);
    const bool starts_section = line.size() > 1 && line[0] == ' ' && line[1] == '.';
    int64_t size = 0;
    std::string origin;
    if (starts_section && tokens.size() == 1) {
      section = tokens[0];
      continue;
    }
    if (starts_section && tokens.size() == 4 && is_hex(tokens[1]) && is_hex(tokens[2])) {
      section = tokens[0];
      size = std::stoll(tokens[2], nullptr, 16);
      origin = tokens[3];
    } else if (!section.empty() && !line.empty() &&
               std::isspace(static_cast<unsigned char>(line[0])) && tokens.size() == 3 &&
               is_hex(tokens[0]) && is_hex(tokens[1])) {
      size = std::stoll(tokens[1], nullptr, 16);
      origin = tokens[2];
    } else {
      continue;
    }
    SectionSizes* library = library_of(sizes, origin);
    const char* kind = kind_of(section);
    section.clear();
    if (library == nullptr || kind == nullptr) continue;
    if (std::string_view(kind) == "text") library->text += size;
    if (std::string_view(kind) == "data") library->data += size;
    if (std::string_view(kind) == "bss") library->bss += size;
  }
  return sizes;
}

std::filesystem::path runner_map_path(const std::string& target) {
  return board_build_dir(target) / "bin" / "tinyexec_runner.elf.map";
}

std::optional<CodeSize> code_size_if_built(const std::string& target) {
  const std::filesystem::path path = runner_map_path(target);
  std::ifstream stream(path);
  if (!stream) return std::nullopt;
  const std::string text{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
  return parse_link_map(text, path.string());
}

}  // namespace tinyexec::cli
