// SPDX-License-Identifier: Apache-2.0
// The transpose_s8 cases of ../shared lost their dims and perms in conversion (the config holds
// the string "\\"). tests/golden/transpose_supplement.json records them per case name, with
// the source they were taken from; this applies it when a case is loaded or packed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host_case.h"

namespace tinyexec::golden {

class TransposeSupplement {
 public:
  // Reads the table; throws std::runtime_error if the file is unreadable or malformed.
  static TransposeSupplement load(const std::string& path);

  // For a transpose_s8 case without a usable in_dim and perm, sets both from the table (and
  // "dims_source" to say so) when the case name is listed and the listed dims hold exactly as
  // many elements as the case's input tensor. Otherwise leaves the case alone: the runner then
  // fails it with "transpose case lacks in_dim/perm". Returns a note when it declined to apply
  // a listed entry, for the caller to show; empty otherwise.
  std::string apply(HostCase& c) const;

 private:
  struct Entry {
    std::vector<int64_t> in_dim;
    std::vector<int64_t> perm;
  };
  std::map<std::string, Entry> cases_;
  std::string path_;
};

}  // namespace tinyexec::golden
