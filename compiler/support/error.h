// SPDX-License-Identifier: Apache-2.0
// Compiler errors: one exception type whose message always says where (file, node, op,
// attribute) and why, so a user can act on it without a debugger.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace tinyexec {

class CompileError : public std::runtime_error {
 public:
  explicit CompileError(std::string message) : std::runtime_error(std::move(message)) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw CompileError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tinyexec
