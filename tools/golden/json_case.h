// SPDX-License-Identifier: Apache-2.0
// Reading a golden case from the JSON format of ../shared/testdata/cmsis-nn-s8/README.md:
// {"case", "kernel", "source", "config": {key: value}, "tensors": {name: {"dtype", "data"}}}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "host_case.h"

namespace tinyexec::golden {

// Converts one parsed case. Config values: integers (and integral numbers, booleans as 0/1)
// stay integers; strings stay strings; integer arrays become "a,b,c" strings; anything else is
// kept as its JSON text, so only a family that needs the key fails on it. Tensor data must
// fit its dtype exactly. Throws std::runtime_error naming the field at fault.
HostCase case_from_json(const nlohmann::json& j);

// Reads and converts a file; throws std::runtime_error ("bad JSON: ...", "missing \"kernel\"").
HostCase load_json_case(const std::string& path);

}  // namespace tinyexec::golden
