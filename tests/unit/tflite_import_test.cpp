// SPDX-License-Identifier: Apache-2.0
// The TFLite importer on tiny models built here with the FlatBufferBuilder of the generated
// schema code (object API): one model per operator family, run by the host int8 reference and
// by the runtime (bit-identical), checked against values computed in the test; and the errors
// (operator index, type and reason).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "emit/program_emitter.h"
#include "frontends/tflite/tflite_importer.h"
#include "reference/interpreter.h"
#include "runner/run_program.h"
#include "tinyexec/tflite/tflite_schema_generated.h"

namespace fb = tinyexec::tflite;
namespace ir = tinyexec::ir;
using tinyexec::CompileError;
using tinyexec::frontends::import_tflite_bytes;

namespace {

struct Quant {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t axis = 0;
};

class ModelBuilder {
 public:
  ModelBuilder() {
    model_.version = 3;
    model_.buffers.push_back(std::make_unique<fb::BufferT>());
    model_.subgraphs.push_back(std::make_unique<fb::SubGraphT>());
  }
  fb::SubGraphT& sg() { return *model_.subgraphs[0]; }

  int32_t tensor(std::vector<int32_t> shape, fb::TensorType type, std::optional<Quant> q = {},
                 std::vector<uint8_t> data = {}) {
    auto t = std::make_unique<fb::TensorT>();
    t->shape = std::move(shape);
    t->type = type;
    t->name = "t" + std::to_string(sg().tensors.size());
    if (q) {
      t->quantization = std::make_unique<fb::QuantizationParametersT>();
      t->quantization->scale = q->scales;
      t->quantization->zero_point = q->zero_points;
      t->quantization->quantized_dimension = q->axis;
    }
    if (!data.empty()) {
      auto buffer = std::make_unique<fb::BufferT>();
      buffer->data = std::move(data);
      t->buffer = static_cast<uint32_t>(model_.buffers.size());
      model_.buffers.push_back(std::move(buffer));
    }
    sg().tensors.push_back(std::move(t));
    return static_cast<int32_t>(sg().tensors.size() - 1);
  }
  int32_t act(std::vector<int32_t> shape, float scale, int64_t zp) {
    return tensor(std::move(shape), fb::TensorType::INT8, Quant{{scale}, {zp}});
  }
  template <typename T>
  int32_t constant(std::vector<int32_t> shape, fb::TensorType type, const std::vector<T>& values,
                   std::optional<Quant> q = {}) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return tensor(std::move(shape), type, std::move(q), std::move(bytes));
  }
  void op(int32_t code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
          fb::BuiltinOptionsUnion options = {}) {
    int32_t index = -1;
    for (size_t i = 0; i < model_.operator_codes.size(); ++i) {
      if (model_.operator_codes[i]->builtin_code == code) index = static_cast<int32_t>(i);
    }
    if (index < 0) {
      auto c = std::make_unique<fb::OperatorCodeT>();
      c->builtin_code = code;
      c->deprecated_builtin_code = static_cast<int8_t>(std::min(code, 127));
      model_.operator_codes.push_back(std::move(c));
      index = static_cast<int32_t>(model_.operator_codes.size() - 1);
    }
    auto o = std::make_unique<fb::OperatorT>();
    o->opcode_index = static_cast<uint32_t>(index);
    o->inputs = std::move(inputs);
    o->outputs = std::move(outputs);
    o->builtin_options = std::move(options);
    sg().operators.push_back(std::move(o));
  }
  std::vector<uint8_t> finish(std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    sg().inputs = std::move(inputs);
    sg().outputs = std::move(outputs);
    flatbuffers::FlatBufferBuilder b;
    b.Finish(fb::Model::Pack(b, &model_), fb::ModelIdentifier());
    return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
  }

 private:
  fb::ModelT model_;
};

template <typename T>
fb::BuiltinOptionsUnion options(T value) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(value));
  return u;
}

std::vector<int8_t> ramp(int64_t n, int step = 37) {
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<int8_t>((i * step) % 256 - 128);
  return v;
}

// Imports, runs the host int8 reference and the runtime (must agree), returns output 0.
std::vector<int8_t> run(const std::vector<uint8_t>& model, const std::vector<int8_t>& input) {
  const auto imported = import_tflite_bytes(model, "test.tflite");
  const ir::Value* in = imported.graph.inputs()[0];
  const ir::Tensor x = ir::Tensor::from<int8_t>(in->shape, input);
  const auto reference = tinyexec::reference::run(imported.graph, std::span(&x, 1));
  const auto program = tinyexec::emit::emit_program(imported.graph);
  const auto result = tinyexec::runner::run_program(
      "host", program.bytes, {std::vector<uint8_t>(input.begin(), input.end())});
  const auto ref = reference[0].bytes();
  EXPECT_TRUE(std::equal(ref.begin(), ref.end(), result.outputs[0].begin(), result.outputs[0].end()))
      << "runtime differs from the host int8 reference";
  const auto out = reference[0].data<int8_t>();
  return {out.begin(), out.end()};
}

std::string import_error(const std::vector<uint8_t>& model) {
  try {
    import_tflite_bytes(model, "bad.tflite");
  } catch (const CompileError& e) {
    return e.what();
  }
  return "no error";
}

// TFLite's MultiplyByQuantizedMultiplier written out independently with 64-bit integers.
int32_t tflite_requant(int64_t x, double real) {
  int exponent = 0;
  const double q = std::frexp(real, &exponent);
  int64_t m = std::llround(q * (1ll << 31));
  if (m == (1ll << 31)) m /= 2, ++exponent;
  const int64_t shifted = x * (exponent > 0 ? (1ll << exponent) : 1);
  const int64_t prod = shifted * m;
  const int64_t high = (prod >= 0 ? prod + (1ll << 30) : prod + 1 - (1ll << 30)) / (1ll << 31);
  const int right = exponent > 0 ? 0 : -exponent;
  if (right == 0) return static_cast<int32_t>(high);
  const int64_t mask = (1ll << right) - 1, rem = high & mask;
  const int64_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return static_cast<int32_t>((high >> right) + (rem > threshold ? 1 : 0));
}

int8_t sat(int64_t v) { return static_cast<int8_t>(std::clamp<int64_t>(v, -128, 127)); }

// --- errors

TEST(TfliteImport, ErrorsNameTheOperatorItsTypeAndTheReason) {
  {
    ModelBuilder m;
    const int32_t x = m.act({1, 4}, 0.5f, 0), y = m.act({1, 4}, 0.5f, 0), z = m.act({1, 4}, 0.5f, 0);
    m.op(0, {x, x}, {y}, options(fb::AddOptionsT{}));
    m.op(42, {y, y}, {z});  // DIV
    const std::string e = import_error(m.finish({x}, {z}));
    EXPECT_NE(e.find("bad.tflite: operator 1 (DIV): operator type DIV is not supported"),
              std::string::npos) << e;
  }
  {
    ModelBuilder m;  // a float model
    const int32_t x = m.tensor({1, 4}, fb::TensorType::FLOAT32);
    const int32_t w = m.constant<float>({2, 4}, fb::TensorType::FLOAT32, std::vector<float>(8, 1.f));
    const int32_t y = m.tensor({1, 2}, fb::TensorType::FLOAT32);
    m.op(9, {x, w, -1}, {y}, options(fb::FullyConnectedOptionsT{}));
    const std::string e = import_error(m.finish({x}, {y}));
    EXPECT_NE(e.find("operator 0 (FULLY_CONNECTED)"), std::string::npos) << e;
    EXPECT_NE(e.find("float models are not supported yet"), std::string::npos) << e;
  }
  {
    ModelBuilder m;  // an unsupported fused activation
    const int32_t x = m.act({1, 4}, 0.5f, 0), y = m.act({1, 4}, 0.5f, 0);
    fb::AddOptionsT o;
    o.fused_activation_function = fb::ActivationFunctionType::TANH;
    m.op(0, {x, x}, {y}, options(o));
    const std::string e = import_error(m.finish({x}, {y}));
    EXPECT_NE(e.find("operator 0 (ADD): fused activation TANH is not supported"), std::string::npos)
        << e;
  }
  {
    ModelBuilder m;  // int16 activations
    const int32_t x = m.tensor({1, 4}, fb::TensorType::INT16, Quant{{0.5f}, {0}});
    const int32_t y = m.tensor({1, 4}, fb::TensorType::INT16, Quant{{0.5f}, {0}});
    m.op(14, {x}, {y});
    EXPECT_NE(import_error(m.finish({x}, {y})).find("INT16"), std::string::npos);
  }
  {
    ModelBuilder m;  // a custom operator
    const int32_t x = m.act({1, 4}, 0.5f, 0), y = m.act({1, 4}, 0.5f, 0);
    m.op(32, {x}, {y});
    EXPECT_NE(import_error(m.finish({x}, {y})).find("operator 0 (CUSTOM): custom operator"),
              std::string::npos);
  }
  std::vector<uint8_t> garbage(64, 0x5a);
  EXPECT_NE(import_error(garbage).find("verifier"), std::string::npos);
}

// --- one model per operator family

TEST(TfliteImport, Conv2dPerChannelSameReluMatchesTfliteArithmetic) {
  ModelBuilder m;
  const float si = 0.5f, so = 0.25f;
  const std::vector<float> sw{0.125f, 0.0625f};
  const int32_t x = m.act({1, 3, 3, 2}, si, -3);
  const std::vector<int8_t> wv = ramp(2 * 3 * 3 * 2, 11);
  const int32_t w = m.constant<int8_t>({2, 3, 3, 2}, fb::TensorType::INT8, wv, Quant{sw, {0, 0}, 0});
  const std::vector<int32_t> bv{40, -70};
  const int32_t b = m.constant<int32_t>({2}, fb::TensorType::INT32, bv);
  const int32_t y = m.act({1, 3, 3, 2}, so, 5);
  fb::Conv2DOptionsT o;
  o.padding = fb::Padding::SAME;
  o.stride_w = o.stride_h = 1;
  o.fused_activation_function = fb::ActivationFunctionType::RELU;
  m.op(3, {x, w, b}, {y}, options(o));
  const std::vector<int8_t> in = ramp(18);
  const std::vector<int8_t> out = run(m.finish({x}, {y}), in);
  for (int oy = 0; oy < 3; ++oy) {
    for (int ox = 0; ox < 3; ++ox) {
      for (int co = 0; co < 2; ++co) {
        int64_t acc = bv[co];
        for (int ky = 0; ky < 3; ++ky) {
          for (int kx = 0; kx < 3; ++kx) {
            const int iy = oy + ky - 1, ix = ox + kx - 1;
            if (iy < 0 || iy > 2 || ix < 0 || ix > 2) continue;
            for (int ci = 0; ci < 2; ++ci) {
              acc += (in[(iy * 3 + ix) * 2 + ci] + 3) * wv[((co * 3 + ky) * 3 + kx) * 2 + ci];
            }
          }
        }
        const int64_t q = tflite_requant(acc, double(si) * double(sw[co]) / double(so)) + 5;
        EXPECT_EQ(out[(oy * 3 + ox) * 2 + co], sat(std::max<int64_t>(q, 5))) << oy << ox << co;
      }
    }
  }
}

TEST(TfliteImport, DepthwiseAndFullyConnectedAndPools) {
  ModelBuilder m;
  const int32_t x = m.act({1, 4, 4, 2}, 0.5f, 0);
  const int32_t w = m.constant<int8_t>({1, 2, 2, 2}, fb::TensorType::INT8, ramp(8, 5),
                                       Quant{{0.25f, 0.25f}, {0, 0}, 3});
  const int32_t d = m.act({1, 2, 2, 2}, 1.0f, 0);
  fb::DepthwiseConv2DOptionsT dw;
  dw.padding = fb::Padding::VALID;
  dw.stride_w = dw.stride_h = 2;
  dw.depth_multiplier = 1;
  m.op(4, {x, w, -1}, {d}, options(dw));
  const int32_t p = m.act({1, 1, 1, 2}, 1.0f, 0);
  fb::Pool2DOptionsT pool;
  pool.padding = fb::Padding::VALID;
  pool.stride_w = pool.stride_h = 2;
  pool.filter_width = pool.filter_height = 2;
  m.op(17, {d}, {p}, options(pool));  // MAX_POOL_2D
  const int32_t a = m.act({1, 1, 1, 2}, 1.0f, 0);
  pool.filter_width = pool.filter_height = 1;
  pool.stride_w = pool.stride_h = 1;
  m.op(1, {p}, {a}, options(pool));  // AVERAGE_POOL_2D (1x1)
  const int32_t fw = m.constant<int8_t>({3, 2}, fb::TensorType::INT8, std::vector<int8_t>{1, 2, 3, 4, -5, 6},
                                        Quant{{0.5f}, {0}});
  const int32_t f = m.act({1, 3}, 1.0f, 0);
  m.op(9, {a, fw, -1}, {f}, options(fb::FullyConnectedOptionsT{}));
  const std::vector<int8_t> in = ramp(32, 29);
  const auto out = run(m.finish({x}, {f}), in);
  int64_t dmax[2] = {-128, -128};
  for (int oy = 0; oy < 2; ++oy) {
    for (int ox = 0; ox < 2; ++ox) {
      for (int c = 0; c < 2; ++c) {
        int64_t acc = 0;
        const auto wv = ramp(8, 5);
        for (int ky = 0; ky < 2; ++ky) {
          for (int kx = 0; kx < 2; ++kx) {
            acc += in[((oy * 2 + ky) * 4 + ox * 2 + kx) * 2 + c] * wv[(ky * 2 + kx) * 2 + c];
          }
        }
        dmax[c] = std::max<int64_t>(dmax[c], sat(tflite_requant(acc, 0.125)));
      }
    }
  }
  const int8_t fw_v[6] = {1, 2, 3, 4, -5, 6};
  for (int o = 0; o < 3; ++o) {
    const int64_t acc = dmax[0] * fw_v[o * 2] + dmax[1] * fw_v[o * 2 + 1];
    EXPECT_EQ(out[o], sat(tflite_requant(acc, 0.5))) << o;
  }
}

// ADD, SUB and MUL of two activations with different scales (and broadcasting for MUL).
TEST(TfliteImport, AddSubMulFollowTflitesFixedPoint) {
  for (int32_t code : {0, 41, 18}) {
    ModelBuilder m;
    const float s1 = 0.05f, s2 = 0.08f, so = 0.1f;
    const int32_t x = m.act({1, 2, 2, 4}, s1, 3);
    const int32_t z = m.constant<int8_t>({4}, fb::TensorType::INT8, std::vector<int8_t>{-100, -7, 50, 120},
                                         Quant{{s2}, {-2}});
    const int32_t y = m.act({1, 2, 2, 4}, so, -4);
    if (code == 0) m.op(code, {x, z}, {y}, options(fb::AddOptionsT{}));
    if (code == 41) m.op(code, {x, z}, {y}, options(fb::SubOptionsT{}));
    if (code == 18) m.op(code, {x, z}, {y}, options(fb::MulOptionsT{}));
    const std::vector<int8_t> in = ramp(16, 23);
    const auto out = run(m.finish({x}, {y}), in);
    const int8_t b[4] = {-100, -7, 50, 120};
    for (int i = 0; i < 16; ++i) {
      const int64_t a1 = in[i] - 3, a2 = b[i % 4] + 2;
      int64_t expected;
      if (code == 18) {
        expected = tflite_requant(a1 * a2, double(s1) * double(s2) / double(so)) - 4;
      } else {
        const double twice_max = 2.0 * std::max(s1, s2);
        const int64_t v1 = tflite_requant(a1 << 20, s1 / twice_max);
        const int64_t v2 = tflite_requant(a2 << 20, s2 / twice_max);
        const int64_t sum = code == 0 ? v1 + v2 : v1 - v2;
        expected = tflite_requant(sum, twice_max / ((1 << 20) * double(so))) - 4;
      }
      EXPECT_EQ(out[i], sat(expected)) << "op " << code << " element " << i;
    }
  }
}

TEST(TfliteImport, DataMovementReshapePadTransposeConcat) {
  ModelBuilder m;
  const int32_t x = m.act({1, 2, 3}, 0.5f, 7);
  const int32_t r = m.act({1, 3, 2}, 0.5f, 7);
  m.op(22, {x}, {r}, options(fb::ReshapeOptionsT{}));
  const int32_t perm = m.constant<int32_t>({3}, fb::TensorType::INT32, std::vector<int32_t>{0, 2, 1});
  const int32_t t = m.act({1, 2, 3}, 0.5f, 7);
  m.op(39, {r, perm}, {t}, options(fb::TransposeOptionsT{}));
  const int32_t pads = m.constant<int32_t>({3, 2}, fb::TensorType::INT32,
                                           std::vector<int32_t>{0, 0, 1, 0, 0, 1});
  const int32_t p = m.act({1, 3, 4}, 0.5f, 7);
  m.op(34, {t, pads}, {p}, options(fb::PadOptionsT{}));
  const int32_t c = m.act({1, 3, 8}, 0.5f, 7);
  fb::ConcatenationOptionsT co;
  co.axis = -1;
  m.op(2, {p, p}, {c}, options(co));
  const std::vector<int8_t> in{1, 2, 3, 4, 5, 6};
  const auto out = run(m.finish({x}, {c}), in);
  // reshape [1,3,2] = {1,2},{3,4},{5,6}; transpose -> [1,2,3] = {1,3,5},{2,4,6};
  // pad rows (1 before) and columns (1 after) with 7; concat with itself on the last axis.
  const std::vector<int8_t> padded{7, 7, 7, 7, 1, 3, 5, 7, 2, 4, 6, 7};
  for (int row = 0; row < 3; ++row) {
    for (int col = 0; col < 8; ++col) {
      EXPECT_EQ(out[row * 8 + col], padded[row * 4 + col % 4]) << row << "," << col;
    }
  }
}

TEST(TfliteImport, SoftmaxLogisticTanhHardSwishAreCloseToTheirFunctions) {
  const float si = 0.05f;
  const std::vector<int8_t> in = ramp(256, 1);
  struct Case {
    int32_t code;
    float so;
    int64_t zo;
    double (*f)(double);
  };
  const Case cases[] = {
      {14, 1.0f / 256, -128, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
      {28, 1.0f / 128, 0, [](double v) { return std::tanh(v); }},
      {117, 0.03f, -20, [](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; }},
  };
  for (const Case& k : cases) {
    ModelBuilder m;
    const int32_t x = m.act({1, 256}, si, 0);
    const int32_t y = m.act({1, 256}, k.so, k.zo);
    m.op(k.code, {x}, {y});
    const auto out = run(m.finish({x}, {y}), in);
    for (int i = 0; i < 256; ++i) {
      const double want = std::clamp(std::round(k.f(si * in[i]) / k.so) + k.zo, -128.0, 127.0);
      EXPECT_LE(std::abs(out[i] - want), 1.0) << "op " << k.code << " input " << int(in[i]);
    }
  }
  ModelBuilder m;
  const int32_t x = m.act({1, 5}, 0.1f, 0);
  const int32_t y = m.act({1, 5}, 1.0f / 256, -128);
  fb::SoftmaxOptionsT so;
  so.beta = 1.0f;
  m.op(25, {x}, {y}, options(so));
  const std::vector<int8_t> logits{-20, 0, 10, 20, 5};
  const auto out = run(m.finish({x}, {y}), logits);
  double total = 0;
  for (int8_t l : logits) total += std::exp(0.1 * l);
  for (int i = 0; i < 5; ++i) {
    EXPECT_LE(std::abs(out[i] - (std::exp(0.1 * logits[i]) / total * 256 - 128)), 1.0) << i;
  }
}

TEST(TfliteImport, MeanAsTfliteMicroComputesIt) {
  for (bool same : {true, false}) {
    ModelBuilder m;
    const int32_t x = m.act({1, 3, 3, 2}, 0.5f, 3);
    const int32_t axes = m.constant<int32_t>({2}, fb::TensorType::INT32, std::vector<int32_t>{1, 2});
    const float so = same ? 0.5f : 0.3f;
    const int64_t zo = same ? 3 : -9;
    const int32_t y = m.act({1, 1, 1, 2}, so, zo);
    fb::ReducerOptionsT r;
    r.keep_dims = true;
    m.op(40, {x, axes}, {y}, options(r));
    const std::vector<int8_t> in = ramp(18, 53);
    const auto out = run(m.finish({x}, {y}), in);
    for (int c = 0; c < 2; ++c) {
      int64_t sum = 0;
      for (int i = 0; i < 9; ++i) sum += in[i * 2 + c];
      if (same) {
        EXPECT_EQ(out[c], static_cast<int8_t>(sum / 9)) << "channel " << c;  // truncation
      } else {
        const float scale = 0.5f / so;
        const float value = std::round(static_cast<float>(sum) / 9.0f * scale - 3 * scale) + zo;
        EXPECT_EQ(out[c], sat(static_cast<int64_t>(value))) << "channel " << c;
      }
    }
  }
}

TEST(TfliteImport, QuantizeRequantizesInt8) {
  ModelBuilder m;
  const int32_t x = m.act({1, 256}, 0.05f, 10);
  const int32_t y = m.act({1, 256}, 0.07f, -5);
  m.op(114, {x}, {y});
  const std::vector<int8_t> in = ramp(256, 1);
  const auto out = run(m.finish({x}, {y}), in);
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(out[i], sat(tflite_requant(in[i] - 10, 0.05 / double(0.07f)) - 5)) << i;
  }
}

}  // namespace
