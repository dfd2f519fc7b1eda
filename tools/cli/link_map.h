// SPDX-License-Identifier: Apache-2.0
// Code size of the runtime and the kernels on a board, from the board runner's GNU ld map
// (build/<target>/bin/tinyexec_runner.elf.map): the input sections the link kept from
// libtinyexec_runtime.a and libtinyexec_kernels.a, as text (code, read-only data, unwind tables),
// data (initialised RAM) and bss (zeroed RAM). The same rules as scripts/size.py.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tinyexec::cli {

struct SectionSizes {
  int64_t text = 0;
  int64_t data = 0;
  int64_t bss = 0;

  int64_t flash() const { return text + data; }  // data's initial values live in flash too
  SectionSizes& operator+=(const SectionSizes& other);
};

struct CodeSize {
  SectionSizes runtime;
  SectionSizes kernels;
  SectionSizes total() const;
};

// Parses a map's text; `name` names it in errors (CompileError when it is not a GNU ld map).
CodeSize parse_link_map(std::string_view text, std::string_view name);

// The map of the board runner in `target`'s board build (docs/cli.md says where builds are
// found).
std::filesystem::path runner_map_path(const std::string& target);

// The code size on `target` from its runner's map; nullopt when that board is not built.
std::optional<CodeSize> code_size_if_built(const std::string& target);

}  // namespace tinyexec::cli
