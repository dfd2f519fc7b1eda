// SPDX-License-Identifier: Apache-2.0
// The .npy format (numpy/lib/format.py): the magic "\x93NUMPY", a major and minor version
// byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), and a header
// that is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }
// padded with spaces and a newline, followed by the raw data.
#include "support/npy.h"

#include <array>
#include <bit>
#include <cctype>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace tinyexec::support {
namespace {

static_assert(std::endian::native == std::endian::little, "npy I/O assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";

struct DescrEntry {
  ir::DType dtype;
  std::string_view descr;  // as numpy writes it
};
constexpr std::array<DescrEntry, 7> kDescrs = {{
    {ir::DType::kFloat32, "<f4"},
    {ir::DType::kInt8, "|i1"},
    {ir::DType::kUInt8, "|u1"},
    {ir::DType::kInt16, "<i2"},
    {ir::DType::kInt32, "<i4"},
    {ir::DType::kInt64, "<i8"},
    {ir::DType::kBool, "|b1"},
}};

std::string supported_descrs() {
  std::string text;
  for (const auto& entry : kDescrs) {
    text += fmt::format("{}'{}' ({})", text.empty() ? "" : ", ", entry.descr,
                        ir::dtype_name(entry.dtype));
  }
  return text;
}

// Reads the header dict. Only the three keys numpy writes are understood; values are parsed
// just enough to be checked.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  // The text after `'key':`, with leading spaces skipped.
  std::string_view value_of(std::string_view key) const {
    for (const char quote : {'\'', '"'}) {
      const std::string pattern = fmt::format("{0}{1}{0}", quote, key);
      const size_t at = text_.find(pattern);
      if (at == std::string_view::npos) continue;
      size_t pos = at + pattern.size();
      while (pos < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos]))) ++pos;
      if (pos >= text_.size() || text_[pos] != ':') break;
      ++pos;
      while (pos < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos]))) ++pos;
      return text_.substr(pos);
    }
    fail("{}: the .npy header has no '{}' entry (header: {})", name_, key, text_);
  }

  std::string descr() const {
    const std::string_view rest = value_of("descr");
    if (rest.empty() || (rest[0] != '\'' && rest[0] != '"')) {
      fail("{}: structured or record dtypes are not supported (header: {}); save a plain array",
           name_, text_);
    }
    const size_t end = rest.find(rest[0], 1);
    if (end == std::string_view::npos) fail("{}: malformed .npy header: {}", name_, text_);
    return std::string(rest.substr(1, end - 1));
  }

  bool fortran_order() const {
    const std::string_view rest = value_of("fortran_order");
    if (rest.starts_with("False")) return false;
    if (rest.starts_with("True")) return true;
    fail("{}: malformed .npy header (fortran_order): {}", name_, text_);
  }

  ir::Shape shape() const {
    const std::string_view rest = value_of("shape");
    if (rest.empty() || rest[0] != '(') fail("{}: malformed .npy header (shape): {}", name_, text_);
    const size_t end = rest.find(')');
    if (end == std::string_view::npos) fail("{}: malformed .npy header (shape): {}", name_, text_);
    ir::Shape shape;
    std::string_view items = rest.substr(1, end - 1);
    while (!items.empty()) {
      while (!items.empty() && (items[0] == ' ' || items[0] == ',')) items.remove_prefix(1);
      if (items.empty()) break;
      size_t digits = 0;
      int64_t dim = 0;
      while (digits < items.size() && std::isdigit(static_cast<unsigned char>(items[digits]))) {
        if (dim > (int64_t{1} << 50)) fail("{}: dimension too large in .npy header", name_);
        dim = dim * 10 + (items[digits] - '0');
        ++digits;
      }
      // Python 2 era files may write long integers as "3L".
      size_t next = digits;
      if (next < items.size() && items[next] == 'L') ++next;
      if (digits == 0 || (next < items.size() && items[next] != ',' && items[next] != ' ')) {
        fail("{}: malformed .npy header (shape): {}", name_, text_);
      }
      shape.push_back(dim);
      items.remove_prefix(next);
    }
    return shape;
  }

 private:
  std::string_view text_;
  std::string_view name_;
};

ir::DType dtype_of_descr(const std::string& descr, std::string_view name) {
  if (descr.size() >= 2 && descr[0] == '>' && descr.substr(1) != "i1" && descr.substr(1) != "u1" &&
      descr.substr(1) != "b1") {
    fail(
        "{}: big-endian data ('{}') is not supported; save it little-endian "
        "(array.astype(array.dtype.newbyteorder('<')))",
        name, descr);
  }
  // Byte order is meaningless for 1-byte types ('|', '<', '>' and '=' all occur); '=' is the
  // writer's native order, which every machine that writes these files has as little-endian.
  std::string canonical = descr;
  if (!canonical.empty() &&
      (canonical[0] == '=' || canonical[0] == '>' || canonical[0] == '<' || canonical[0] == '|')) {
    const bool one_byte = canonical.size() == 3 && canonical[2] == '1';
    canonical[0] = one_byte ? '|' : '<';
  }
  for (const auto& entry : kDescrs) {
    if (entry.descr == canonical) return entry.dtype;
  }
  fail(
      "{}: dtype '{}' is not supported (supported: {}); convert it, e.g. "
      "array.astype(numpy.float32)",
      name, descr, supported_descrs());
}

uint32_t read_le(std::span<const uint8_t> bytes, size_t offset, size_t size) {
  uint32_t value = 0;
  for (size_t i = 0; i < size; ++i) value |= uint32_t{bytes[offset + i]} << (8 * i);
  return value;
}

}  // namespace

ir::Tensor parse_npy(std::span<const uint8_t> bytes, std::string_view name) {
  if (bytes.size() < 10 ||
      std::string_view(reinterpret_cast<const char*>(bytes.data()), kMagic.size()) != kMagic) {
    fail("{}: not a .npy file (no \\x93NUMPY magic)", name);
  }
  const uint8_t major = bytes[6];
  const uint8_t minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    fail("{}: .npy format version {}.{} is not supported (supported: 1.0, 2.0, 3.0)", name, major,
         minor);
  }
  const size_t length_size = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_size) fail("{}: truncated .npy header", name);
  const size_t header_length = read_le(bytes, 8, length_size);
  const size_t data_offset = 8 + length_size + header_length;
  if (bytes.size() < data_offset) {
    fail("{}: truncated .npy header ({} bytes announced, {} present)", name, header_length,
         bytes.size() - 8 - length_size);
  }
  const std::string_view header(reinterpret_cast<const char*>(bytes.data()) + 8 + length_size,
                                header_length);
  const HeaderParser parser(header, name);
  const ir::DType dtype = dtype_of_descr(parser.descr(), name);
  if (parser.fortran_order()) {
    fail(
        "{}: Fortran-order arrays are not supported; save a C-order array "
        "(numpy.ascontiguousarray(array))",
        name);
  }
  ir::Tensor tensor(dtype, parser.shape());
  const size_t expected = tensor.bytes().size();
  const size_t present = bytes.size() - data_offset;
  if (present != expected) {
    fail("{}: {} data: shape {} of {} needs {} bytes, the file has {}", name,
         present < expected ? "truncated" : "unexpected trailing", ir::shape_string(tensor.shape()),
         ir::dtype_name(dtype), expected, present);
  }
  if (expected != 0)
    std::memcpy(tensor.mutable_bytes().data(), bytes.data() + data_offset, expected);
  if (dtype == ir::DType::kBool) {
    for (uint8_t& byte : tensor.mutable_bytes()) byte = byte != 0 ? 1 : 0;
  }
  return tensor;
}

std::vector<uint8_t> serialize_npy(const ir::Tensor& tensor) {
  std::string_view descr;
  for (const auto& entry : kDescrs) {
    if (entry.dtype == tensor.dtype()) descr = entry.descr;
  }
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i) {
    shape += std::to_string(tensor.shape()[i]) + (tensor.shape().size() == 1 ? "," : "");
    if (i + 1 < tensor.shape().size()) shape += ", ";
  }
  shape += ")";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape);
  // numpy pads so that the data starts on a 64-byte boundary, ending the header with '\n'.
  const bool version2 = header.size() + 1 + 10 > 65535;
  const size_t prefix = version2 ? 12 : 10;
  const size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::vector<uint8_t> bytes(kMagic.begin(), kMagic.end());
  bytes.push_back(version2 ? 2 : 1);
  bytes.push_back(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    bytes.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), tensor.bytes().begin(), tensor.bytes().end());
  return bytes;
}

ir::Tensor read_npy(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) fail("{}: cannot open the file", file.string());
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)),
                                   std::istreambuf_iterator<char>());
  if (stream.bad()) fail("{}: read error", file.string());
  return parse_npy(bytes, file.string());
}

void write_npy(const std::filesystem::path& file, const ir::Tensor& tensor) {
  const std::vector<uint8_t> bytes = serialize_npy(tensor);
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  if (!stream) fail("{}: cannot create the file", file.string());
  stream.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  stream.close();
  if (!stream) fail("{}: write error", file.string());
}

}  // namespace tinyexec::support
