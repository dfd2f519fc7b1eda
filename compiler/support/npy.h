// SPDX-License-Identifier: Apache-2.0
// NumPy .npy files <-> IR tensors: the format of model inputs, outputs and calibration
// samples on the command line. Format versions 1.0, 2.0 and 3.0; C order; little-endian
// float32 ('<f4'), int8 ('|i1'), uint8 ('|u1'), int16 ('<i2'), int32 ('<i4'), int64 ('<i8')
// and bool ('|b1'). Anything else is an error that names the file and says what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "ir/tensor.h"

namespace tinyexec::support {

ir::Tensor read_npy(const std::filesystem::path& file);
// Writes format version 1.0 (2.0 if the header needs it), as numpy.save does.
void write_npy(const std::filesystem::path& file, const ir::Tensor& tensor);

// The same on bytes in memory; `name` names the data in errors.
ir::Tensor parse_npy(std::span<const uint8_t> bytes, std::string_view name);
std::vector<uint8_t> serialize_npy(const ir::Tensor& tensor);

}  // namespace tinyexec::support
