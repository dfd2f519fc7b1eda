// SPDX-License-Identifier: Apache-2.0
// .npy reading and writing: round trips of every dtype, the exact bytes numpy writes, files in
// format versions 2.0 and 3.0, and an error naming the file for everything unsupported.
#include "support/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ir = tinyexec::ir;
namespace support = tinyexec::support;
using tinyexec::CompileError;

namespace {

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("tinyexec_npy_test_" + name);
}

// A .npy file as numpy lays it out, from a header dict and raw data.
std::vector<uint8_t> npy_bytes(const std::string& dict, const std::vector<uint8_t>& data,
                               int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  for (size_t i = 0; i < prefix - 8; ++i)
    bytes.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

template <typename T>
std::vector<uint8_t> raw(std::vector<T> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::string error_of(const std::vector<uint8_t>& bytes, const std::string& name = "x.npy") {
  try {
    support::parse_npy(bytes, name);
  } catch (const CompileError& error) {
    return error.what();
  }
  ADD_FAILURE() << "parsed without error";
  return {};
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

}  // namespace

TEST(Npy, RoundTripsEveryDtypeThroughAFile) {
  const std::vector<ir::Tensor> tensors = {
      ir::Tensor::from<float>({2, 3}, {{1.5f, -2, 0, 3.25f, 1e-7f, -1e7f}}),
      ir::Tensor::from<int8_t>({3}, {{-128, 0, 127}}),
      ir::Tensor::from<uint8_t>({1, 1, 2}, {{0, 255}}),
      ir::Tensor::from<int16_t>({2}, {{-32768, 32767}}),
      ir::Tensor::from<int32_t>({2, 1}, {{-7, 1 << 30}}),
      ir::Tensor::from<int64_t>({2}, {{int64_t{-1} << 40, 42}}),
      ir::Tensor::scalar(2.5f),
      ir::Tensor(ir::DType::kFloat32, {0, 4}),
  };
  const auto path = temp_file("roundtrip.npy");
  for (const ir::Tensor& tensor : tensors) {
    SCOPED_TRACE(std::string(ir::dtype_name(tensor.dtype())) + ir::shape_string(tensor.shape()));
    support::write_npy(path, tensor);
    EXPECT_EQ(support::read_npy(path), tensor);
  }
  std::filesystem::remove(path);
}

// numpy.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)) writes exactly this.
TEST(Npy, WritesWhatNumpyWrites) {
  const ir::Tensor tensor = ir::Tensor::from<float>({2, 3}, {{1, 2, 3, 4, 5, 6}});
  const std::vector<uint8_t> expected =
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                raw<float>({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(support::serialize_npy(tensor), expected);
  EXPECT_EQ(expected.size(),
            128u + 24u);  // numpy 1.24 writes 152 bytes: data at a 64-byte boundary

  // One dimension is written as a 1-tuple, a scalar as the empty tuple.
  const std::vector<uint8_t> vector =
      support::serialize_npy(ir::Tensor::from<int8_t>({3}, {{1, 2, 3}}));
  EXPECT_NE(std::string(vector.begin(), vector.end())
                .find("'descr': '|i1', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
  const std::vector<uint8_t> scalar = support::serialize_npy(ir::Tensor::scalar(int64_t{7}));
  EXPECT_NE(std::string(scalar.begin(), scalar.end())
                .find("'<i8', 'fortran_order': False, 'shape': (), }"),
            std::string::npos);
}

TEST(Npy, ReadsVersions2And3AndHeaderVariants) {
  for (const int major : {2, 3}) {
    const ir::Tensor tensor =
        support::parse_npy(npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                                     raw<int32_t>({5, -6}), major),
                           "v.npy");
    EXPECT_EQ(tensor, ir::Tensor::from<int32_t>({2}, {{5, -6}})) << major;
  }
  // Keys in another order, '<' on a 1-byte type, no trailing comma, Python 2 longs.
  EXPECT_EQ(support::parse_npy(
                npy_bytes("{'shape': (2L, 1L), 'fortran_order': False, 'descr': '<u1'}", {7, 8}),
                "v.npy"),
            ir::Tensor::from<uint8_t>({2, 1}, {{7, 8}}));
  // A bool array keeps 0/1.
  const ir::Tensor flags = support::parse_npy(
      npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", {1, 0}), "b.npy");
  EXPECT_EQ(flags.dtype(), ir::DType::kBool);
  EXPECT_EQ(flags.as_int(0), 1);
}

TEST(Npy, ErrorsNameTheFileAndTheProblem) {
  const std::string dict_f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  const std::vector<uint8_t> data = raw<float>({1, 2, 3, 4});

  EXPECT_CONTAINS(
      error_of(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data)),
      "x.npy: Fortran-order arrays are not supported");
  EXPECT_CONTAINS(
      error_of(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", data)),
      "x.npy: big-endian data ('>f4') is not supported");
  EXPECT_CONTAINS(
      error_of(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", data)),
      "x.npy: dtype '<f8' is not supported");
  EXPECT_CONTAINS(error_of(npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }",
                                     raw<int16_t>({1, 2, 3, 4}))),
                  "dtype '<f2' is not supported");
  EXPECT_CONTAINS(error_of(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, "
                                     "'shape': (2,), }",
                                     raw<float>({1, 2}))),
                  "structured");

  std::vector<uint8_t> truncated = npy_bytes(dict_f4, data);
  truncated.resize(truncated.size() - 3);
  EXPECT_CONTAINS(error_of(truncated),
                  "x.npy: truncated data: shape [2,2] of f32 needs 16 bytes, the file has 13");
  std::vector<uint8_t> trailing = npy_bytes(dict_f4, data);
  trailing.push_back(0);
  EXPECT_CONTAINS(error_of(trailing), "unexpected trailing data");

  std::vector<uint8_t> short_header = npy_bytes(dict_f4, {});
  short_header.resize(40);
  EXPECT_CONTAINS(error_of(short_header), "truncated .npy header");

  std::vector<uint8_t> not_npy = npy_bytes(dict_f4, data);
  not_npy[1] = 'X';
  EXPECT_CONTAINS(error_of(not_npy), "x.npy: not a .npy file");

  std::vector<uint8_t> version = npy_bytes(dict_f4, data);
  version[6] = 4;
  EXPECT_CONTAINS(error_of(version), "format version 4.0 is not supported");

  EXPECT_CONTAINS(error_of(npy_bytes("{'descr': '<f4', 'shape': (2, 2), }", data)),
                  "no 'fortran_order' entry");
  EXPECT_CONTAINS(
      error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", data)),
      "malformed .npy header (shape)");

  // Files: the path is named; a missing file is an error too.
  const auto path = temp_file("fortran.npy");
  {
    const auto bytes =
        npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data);
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  try {
    support::read_npy(path);
    ADD_FAILURE();
  } catch (const CompileError& error) {
    EXPECT_CONTAINS(std::string(error.what()), path.string() + ": Fortran-order");
  }
  std::filesystem::remove(path);
  EXPECT_THROW(support::read_npy(path), CompileError);
}
