// SPDX-License-Identifier: Apache-2.0
// Text output shared by the subcommands: grouped numbers and aligned tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyexec::cli {

std::string grouped(int64_t number);               // 1234567 -> "1,234,567"
std::string percent(int64_t part, int64_t whole);  // "90.33%"
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

// Columns padded to their widest cell; right-aligned columns for numbers.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> right_aligned);
  void add(std::vector<std::string> row);
  std::string to_string() const;  // one line per row, trailing spaces trimmed

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_aligned_;
};

}  // namespace tinyexec::cli
