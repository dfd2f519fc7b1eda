// SPDX-License-Identifier: Apache-2.0
// Host self-test of the golden runner itself: that it cannot pass what it should fail. The
// packed-case parser rejects every malformed input it is shown, lookups honour alias order,
// a family names the key or tensor it lacks, a mismatch reports its first index, and an output
// the kernel never writes cannot match by accident. Needs no ../shared data.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "families/common.h"
#include "host_case.h"
#include "int_list.h"
#include "json_case.h"
#include "packed_case.h"
#include "registry.h"
#include "transpose_supplement.h"

namespace tinyexec::golden {
namespace {

HostTensor make_tensor(const std::string& name, DType dtype, const std::vector<int32_t>& values) {
  HostTensor t;
  t.name = name;
  t.dtype = dtype;
  t.count = static_cast<uint32_t>(values.size());
  for (int32_t v : values) {
    const size_t size = dtype_size(dtype);
    uint8_t raw[4];
    if (dtype == DType::kInt8) {
      const auto x = static_cast<int8_t>(v);
      std::memcpy(raw, &x, 1);
    } else if (dtype == DType::kInt16) {
      const auto x = static_cast<int16_t>(v);
      std::memcpy(raw, &x, 2);
    } else {
      std::memcpy(raw, &v, 4);
    }
    t.bytes.insert(t.bytes.end(), raw, raw + size);
  }
  return t;
}

HostConfig int_entry(const std::string& key, int64_t value) {
  HostConfig e;
  e.key = key;
  e.int_value = value;
  return e;
}

// A small, valid max-pool case: 1x2x2x1 input, 2x2 window, output = max = 7.
HostCase pool_case() {
  HostCase c;
  c.family = "max_pool_s8";
  c.name = "tiny";
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, int64_t>>{{"batch_size", 1},
                                                    {"input_h", 2},
                                                    {"input_w", 2},
                                                    {"input_c", 1},
                                                    {"output_h", 1},
                                                    {"output_w", 1},
                                                    {"output_c", 1},
                                                    {"filter_h", 2},
                                                    {"filter_w", 2},
                                                    {"stride_h", 1},
                                                    {"stride_w", 1},
                                                    {"padding_h", 0},
                                                    {"padding_w", 0},
                                                    {"activation_min", -128},
                                                    {"activation_max", 127}}) {
    c.config.push_back(int_entry(key, value));
  }
  c.tensors.push_back(make_tensor("input_tensor", DType::kInt8, {1, 7, -3, 5}));
  c.tensors.push_back(make_tensor("output", DType::kInt8, {7}));
  return c;
}

// Packs, parses and runs; the packed bytes must outlive the case, hence the out-parameter.
Report run(const HostCase& host, std::vector<uint8_t>& packed) {
  packed = pack_case(host);
  static GoldenCase c;
  Report r;
  const char* error = parse_packed_case(packed.data(), packed.size(), &c);
  if (error != nullptr) {
    r.fail("parse: %s", error);
    return r;
  }
  static uint8_t memory[4096];
  Workspace ws(memory, sizeof memory);
  run_case(c, ws, r);
  return r;
}

TEST(PackedCase, RoundTrip) {
  HostCase host = pool_case();
  host.config.push_back(int_entry("big", INT64_MIN + 1));
  host.set_string("pad", "SAME");
  host.tensors.push_back(make_tensor("i16", DType::kInt16, {-300, 300}));
  host.tensors.push_back(make_tensor("i32", DType::kInt32, {INT32_MIN, 5}));
  const std::vector<uint8_t> packed = pack_case(host);
  GoldenCase c;
  ASSERT_EQ(parse_packed_case(packed.data(), packed.size(), &c), nullptr);
  EXPECT_STREQ(c.family(), "max_pool_s8");
  EXPECT_STREQ(c.name(), "tiny");
  int64_t value = 0;
  ASSERT_TRUE(c.int_config("big", &value));
  EXPECT_EQ(value, INT64_MIN + 1);
  EXPECT_STREQ(c.string_config("pad"), "SAME");
  EXPECT_FALSE(c.int_config("pad", &value));
  const TensorView* i32 = c.tensor("i32");
  ASSERT_NE(i32, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(i32->data) % 4, 0u);
  EXPECT_EQ(i32->i32()[0], INT32_MIN);
  EXPECT_EQ(c.tensor("i16")->i16()[0], -300);
}

TEST(PackedCase, EveryTruncationIsRejected) {
  const HostCase host = pool_case();
  const std::vector<uint8_t> packed = pack_case(host);
  // Only the last blob's zero padding may go: everything before its final byte is needed.
  const size_t last_entry = kPackedHeaderSize + host.config.size() * kPackedEntrySize +
                            (host.tensors.size() - 1) * kPackedEntrySize;
  uint32_t last_offset = 0;
  std::memcpy(&last_offset, &packed[last_entry + 12], 4);
  const size_t needed = last_offset + host.tensors.back().bytes.size();
  ASSERT_LT(needed, packed.size());
  for (size_t size = 0; size < needed; ++size) {
    std::vector<uint8_t> cut(packed.begin(), packed.begin() + static_cast<long>(size));
    // Claim the truncated size, so the deeper bounds checks are the ones that must catch it.
    if (size >= 12) {
      for (int i = 0; i < 4; ++i) cut[8 + i] = static_cast<uint8_t>(size >> (8 * i));
    }
    GoldenCase c;
    EXPECT_NE(parse_packed_case(cut.data(), cut.size(), &c), nullptr) << "size " << size;
  }
}

TEST(PackedCase, CorruptFieldsAreRejected) {
  const std::vector<uint8_t> packed = pack_case(pool_case());
  const size_t tensors = kPackedHeaderSize + pool_case().config.size() * kPackedEntrySize;
  const struct {
    size_t offset;
    uint32_t value;
  } corruptions[] = {
      {0, 0x58585858},             // magic
      {4, 2},                      // version
      {12, 0xFFFFFF},              // family string ref
      {20, 1000},                  // config count
      {24, 1000},                  // tensor count
      {28, 0xFFFFFFF0},            // string table size
      {kPackedHeaderSize + 4, 7},  // config kind
      {tensors + 4, 9},            // dtype
      {tensors + 8, 0x7FFFFFFF},   // element count
      {tensors + 12, 2},           // misaligned / inside the tables
      {tensors + 16 + 12, 0},      // second blob overlapping the tables
  };
  for (const auto& corruption : corruptions) {
    std::vector<uint8_t> bad = packed;
    for (int i = 0; i < 4; ++i) {
      bad[corruption.offset + i] = static_cast<uint8_t>(corruption.value >> (8 * i));
    }
    GoldenCase c;
    EXPECT_NE(parse_packed_case(bad.data(), bad.size(), &c), nullptr)
        << "offset " << corruption.offset;
  }
}

TEST(PackedCase, DuplicateNamesAreRejected) {
  HostCase host = pool_case();
  host.config.push_back(int_entry("input_h", 2));
  const std::vector<uint8_t> packed = pack_case(host);
  GoldenCase c;
  EXPECT_NE(parse_packed_case(packed.data(), packed.size(), &c), nullptr);
}

TEST(GoldenCase, AliasesPreferTheFirstListed) {
  GoldenCase c;
  const int8_t a[2] = {1, 2}, b[3] = {1, 2, 3};
  ASSERT_TRUE(c.add_tensor("output", DType::kInt8, a, 2));
  ASSERT_TRUE(c.add_tensor("output_ref", DType::kInt8, b, 3));
  EXPECT_EQ(c.tensor("output_ref|output")->count, 3);
  EXPECT_EQ(c.tensor("nothing|output")->count, 2);
  EXPECT_EQ(c.tensor("out"), nullptr);
  EXPECT_FALSE(c.add_tensor("x|y", DType::kInt8, a, 2));
  ASSERT_TRUE(c.add_int("output_mult", 5));
  int64_t v = 0;
  const char* matched = nullptr;
  ASSERT_TRUE(c.int_config("output_multiplier|output_mult", &v, &matched));
  EXPECT_STREQ(matched, "output_mult");
}

TEST(IntList, AcceptsTheSpellingsInUse) {
  int32_t v[8];
  int n = 0;
  ASSERT_TRUE(parse_int_list("5,4,20", v, 8, &n));
  EXPECT_EQ(n, 3);
  ASSERT_TRUE(parse_int_list("{5, 4, 3, 0,}", v, 8, &n));
  EXPECT_EQ(n, 4);
  EXPECT_EQ(v[3], 0);
  ASSERT_TRUE(parse_int_list(" [ -1 , 2 ] ", v, 8, &n));
  EXPECT_EQ(v[0], -1);
  for (const char* bad : {"\\", "", "{}", "1,,2", "1 2", "{1,2", "[1}", "2147483648", "a"}) {
    EXPECT_FALSE(parse_int_list(bad, v, 8, &n)) << bad;
  }
  EXPECT_FALSE(parse_int_list("1,2,3", v, 2, &n));
}

TEST(Families, PassAndNameWhatIsWrong) {
  std::vector<uint8_t> packed;
  EXPECT_TRUE(run(pool_case(), packed).passed());

  HostCase missing_key = pool_case();
  missing_key.config.erase(missing_key.config.begin() + 9);  // stride_h
  Report r = run(missing_key, packed);
  EXPECT_FALSE(r.passed());
  EXPECT_NE(std::string(r.message()).find("stride_h"), std::string::npos) << r.message();

  HostCase missing_tensor = pool_case();
  missing_tensor.tensors.erase(missing_tensor.tensors.begin());
  r = run(missing_tensor, packed);
  EXPECT_NE(std::string(r.message()).find("missing tensor 'input_tensor"), std::string::npos)
      << r.message();

  HostCase wrong = pool_case();
  wrong.tensors[1] = make_tensor("output", DType::kInt8, {6});
  r = run(wrong, packed);
  EXPECT_STREQ(r.message(), "output mismatch at index 0: expected 6, got 7 (1 of 1 differ)");

  HostCase unknown = pool_case();
  unknown.family = "max_pool_s9";
  r = run(unknown, packed);
  EXPECT_STREQ(r.message(), "unknown kernel family 'max_pool_s9'");
}

TEST(Families, AnUnwrittenOutputCannotMatch) {
  const int8_t expected_values[4] = {0, -128, 127, 5};
  GoldenCase c;
  ASSERT_TRUE(c.add_tensor("output", DType::kInt8, expected_values, 4));
  uint8_t memory[64];
  Workspace ws(memory, sizeof memory);
  Report r;
  int8_t* out = alloc_output(ws, *c.tensor("output"), r);
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(compare_i8(out, *c.tensor("output"), r));
  EXPECT_NE(std::string(r.message()).find("(4 of 4 differ)"), std::string::npos) << r.message();
}

TEST(Report, AFailureStands) {
  Report r;
  EXPECT_FALSE(r.passed());  // undecided is not a pass
  r.fail("first");
  r.fail("second");
  r.pass();
  EXPECT_FALSE(r.passed());
  EXPECT_STREQ(r.message(), "first");
}

TEST(JsonCase, ConvertsConfigAndChecksTensors) {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "case": "c", "kernel": "k",
    "config": {"n": 3, "f": 4.0, "b": true, "s": "SAME", "dims": [5, 4, 20], "x": 0.5},
    "tensors": {"t": {"dtype": "int8", "data": [[1, 2], [3]]}}})");
  HostCase c = case_from_json(j);
  EXPECT_EQ(c.find_config("n")->int_value, 3);
  EXPECT_EQ(c.find_config("f")->int_value, 4);
  EXPECT_EQ(c.find_config("b")->int_value, 1);
  EXPECT_EQ(c.find_config("dims")->string_value, "5,4,20");
  EXPECT_TRUE(c.find_config("x")->is_string);
  EXPECT_EQ(c.tensors[0].count, 3u);

  for (const char* bad : {R"({"case": "c", "config": {}, "tensors": {}})",
                          R"({"case": "c", "kernel": "k", "config": {}, "tensors":
                              {"t": {"dtype": "int8", "data": [128]}}})",
                          R"({"case": "c", "kernel": "k", "config": {}, "tensors":
                              {"t": {"dtype": "uint4", "data": [1]}}})"}) {
    EXPECT_THROW(case_from_json(nlohmann::json::parse(bad)), std::runtime_error) << bad;
  }
}

TEST(TransposeSupplement, FillsOnlyWhatIsMissingAndConsistent) {
  const TransposeSupplement table = TransposeSupplement::load(TE_GOLDEN_SUPPLEMENT);
  HostCase c;
  c.family = "transpose_s8";
  c.name = "transpose_matrix";
  c.set_string("in_dim", "\\");
  c.set_string("perm", "\\");
  c.tensors.push_back(make_tensor("input_tensor", DType::kInt8, std::vector<int32_t>(100, 0)));
  EXPECT_EQ(table.apply(c), "");
  EXPECT_EQ(c.find_config("in_dim")->string_value, "5,20");
  EXPECT_EQ(c.find_config("perm")->string_value, "1,0");

  HostCase own = c;  // usable dims of its own are never replaced
  own.set_string("in_dim", "20,5");
  EXPECT_EQ(table.apply(own), "");
  EXPECT_EQ(own.find_config("in_dim")->string_value, "20,5");

  HostCase other_size = c;  // a listed name with another geometry is left to fail
  other_size.set_string("in_dim", "\\");
  other_size.tensors[0] = make_tensor("input_tensor", DType::kInt8, std::vector<int32_t>(60, 0));
  EXPECT_NE(table.apply(other_size), "");
  EXPECT_EQ(other_size.find_config("in_dim")->string_value, "\\");
}

}  // namespace
}  // namespace tinyexec::golden
