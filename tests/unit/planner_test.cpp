// SPDX-License-Identifier: Apache-2.0
// The memory planner on small hand-checked graphs: a chain, a residual add (in place), reshape
// aliasing, in-place chains, broadcasting operands, scratch buffers (a test op's and the real
// cortex_m ops'), the report and the options. Offsets below are worked out by hand from the
// greedy rule (largest first, ties by first use, each at the lowest free aligned offset).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "planner/memory_planner.h"

namespace {

namespace ir = tinyexec::ir;
namespace planner = tinyexec::planner;
using planner::Reuse;

// A test-only layer: one int8 output [size], `scratch` bytes of scratch (default 0).
std::vector<ir::OutputType> infer_layer(const ir::Node& node) {
  return {{ir::DType::kInt8, {node.attrs.get_int("size")}}};
}
std::vector<ir::Tensor> evaluate_layer(const ir::Node& node, std::span<const ir::Tensor* const>) {
  return {ir::Tensor(ir::DType::kInt8, {node.attrs.get_int("size")})};
}
int64_t layer_scratch(const ir::Node& node) {
  return node.attrs.int_or("scratch", 0);
}
const ir::RegisterOp kLayer{
    {"test.planner_layer", infer_layer, evaluate_layer, nullptr, layer_scratch}};

ir::QuantParams quant() {
  return {{0.1f}, {0}, -1};
}

// Builds graphs whose int8 values all share one quantization (what cortex_m ops need).
struct Builder {
  ir::Graph graph;

  ir::Value* input(const std::string& name, ir::Shape shape) {
    ir::Value* value = graph.add_value(name, ir::DType::kInt8, std::move(shape));
    value->quant = quant();
    graph.inputs().push_back(value);
    return value;
  }
  // A node named "n_<out>" with one output `out` typed by the op's shape rule.
  ir::Value* node(const std::string& op, std::vector<ir::Value*> inputs, const std::string& out,
                  ir::Attributes attrs = {}) {
    ir::Value* value = graph.add_value(out, ir::DType::kInt8, {});
    value->quant = quant();
    ir::Node* node = graph.add_node(op, std::move(inputs), {value}, std::move(attrs), "n_" + out);
    const auto types = ir::infer_node(*node);
    value->dtype = types.at(0).dtype;
    value->shape = types.at(0).shape;
    return value;
  }
  ir::Value* layer(const std::string& out, std::vector<ir::Value*> inputs, int64_t size,
                   int64_t scratch = 0) {
    ir::Attributes attrs;
    attrs.set("size", size);
    if (scratch != 0) attrs.set("scratch", scratch);
    return node("test.planner_layer", std::move(inputs), out, std::move(attrs));
  }
  ir::Value* reshape(const std::string& out, ir::Value* in, std::vector<int64_t> shape) {
    ir::Attributes attrs;
    attrs.set("shape", std::move(shape));
    return node("cortex_m.reshape", {in}, out, std::move(attrs));
  }
  ir::Value* lut(const std::string& out, ir::Value* in) {
    ir::Attributes attrs;
    attrs.set("function", std::string("sigmoid"));
    return node("cortex_m.lut", {in}, out, std::move(attrs));
  }
  void output(ir::Value* value) { graph.outputs().push_back(value); }

  planner::MemoryPlan plan(planner::PlannerOptions options = {}) {
    ir::verify(graph);
    return planner::plan_memory(graph, options);
  }
};

void expect_alloc(const planner::MemoryPlan& plan, const ir::Value* value, int64_t offset,
                  int64_t bytes, int32_t first, int32_t last) {
  const planner::Allocation& a = plan.at(value);
  EXPECT_EQ(a.offset, offset) << value->name;
  EXPECT_EQ(a.bytes, bytes) << value->name;
  EXPECT_EQ(a.first, first) << value->name;
  EXPECT_EQ(a.last, last) << value->name;
}

TEST(Planner, ChainReusesDeadBuffers) {
  // in[64] -> a[128] -> b[32] -> out[64]; lifetimes in [0,0], a [0,1], b [1,2], out [2,2].
  // Greedy: a -> 0; in (conflicts a) -> 128; out (conflicts nothing placed) -> 0;
  // b (conflicts a [0,128), out [0,64)) -> 128. Peak 192 = in + a at node 0.
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* a = b.layer("a", {in}, 128);
  ir::Value* mid = b.layer("b", {a}, 32);
  ir::Value* out = b.layer("out", {mid}, 64);
  b.output(out);
  const planner::MemoryPlan plan = b.plan();
  expect_alloc(plan, in, 128, 64, 0, 0);
  expect_alloc(plan, a, 0, 128, 0, 1);
  expect_alloc(plan, mid, 128, 32, 1, 2);
  expect_alloc(plan, out, 0, 64, 2, 2);
  EXPECT_EQ(plan.arena_bytes, 192);
  EXPECT_EQ(plan.live_lower_bound, 192);
  EXPECT_EQ(plan.naive_arena_bytes, 64 + 128 + 32 + 64);
  EXPECT_TRUE(plan.scratch.empty());
  EXPECT_EQ(plan.values.size(), 4u);
}

TEST(Planner, UnalignedSizesGetAlignedOffsets) {
  // in[100] and a[200] live together at node 0: a -> 0, in -> align16(200) = 208.
  Builder b;
  ir::Value* in = b.input("in", {100});
  ir::Value* a = b.layer("a", {in}, 200);
  b.output(a);
  const planner::MemoryPlan plan = b.plan();
  expect_alloc(plan, a, 0, 200, 0, 0);
  expect_alloc(plan, in, 208, 100, 0, 0);
  EXPECT_EQ(plan.arena_bytes, 308);
  EXPECT_EQ(plan.naive_arena_bytes, 112 + 208);
  // Alignment 1 packs them tightly; alignment 64 pushes `in` to 256.
  EXPECT_EQ(b.plan({.alignment = 1}).at(in).offset, 200);
  EXPECT_EQ(b.plan({.alignment = 1}).arena_bytes, 300);
  EXPECT_EQ(b.plan({.alignment = 64}).at(in).offset, 256);
  EXPECT_THROW(b.plan({.alignment = 0}), tinyexec::CompileError);
}

// in -> x = layer(in) -> y = layer(x) -> z = add(x, y) (graph output): x dies at the add, so z
// is written over x.
struct Residual {
  Builder b;
  ir::Value *in, *x, *y, *z;
  Residual() {
    in = b.input("in", {64});
    x = b.layer("x", {in}, 64);
    y = b.layer("y", {x}, 64);
    z = b.node("cortex_m.quantized_add", {x, y}, "z");
    b.output(z);
  }
};

TEST(Planner, ResidualAddWritesOverTheDyingInput) {
  Residual r;
  const planner::MemoryPlan plan = r.b.plan();
  // Buffers (all 64 bytes, placed by first use): in [0,0] -> 0; {x, z} [0,2] -> 64;
  // y [1,2] conflicts only {x, z} -> 0.
  expect_alloc(plan, r.in, 0, 64, 0, 0);
  expect_alloc(plan, r.x, 64, 64, 0, 2);
  expect_alloc(plan, r.y, 0, 64, 1, 2);
  expect_alloc(plan, r.z, 64, 64, 2, 2);
  EXPECT_EQ(plan.at(r.z).reuse, Reuse::kInPlace);
  EXPECT_EQ(plan.at(r.z).shares, r.x);
  EXPECT_EQ(plan.at(r.y).reuse, Reuse::kNone);
  EXPECT_EQ(plan.arena_bytes, 128);
  EXPECT_EQ(plan.live_lower_bound, 128);

  // Without in-place reuse z needs a third slot while x and y are live.
  const planner::MemoryPlan separate = r.b.plan({.in_place = false});
  EXPECT_EQ(separate.at(r.z).reuse, Reuse::kNone);
  EXPECT_EQ(separate.arena_bytes, 192);
}

TEST(Planner, InPlaceNeedsTheInputToDieThere) {
  // x is used again after the add: the add may take y (input 1) instead, which dies there.
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* x = b.layer("x", {in}, 64);
  ir::Value* y = b.layer("y", {x}, 64);
  ir::Value* z = b.node("cortex_m.quantized_mul", {x, y}, "z");
  ir::Value* w = b.node("cortex_m.maximum", {z, x}, "w");
  b.output(w);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(z).reuse, Reuse::kInPlace);
  EXPECT_EQ(plan.at(z).shares, y);
  EXPECT_EQ(plan.at(z).offset, plan.at(y).offset);
  // At the maximum both z (input 0) and x die; input 0 is taken first.
  EXPECT_EQ(plan.at(w).shares, z);
  EXPECT_EQ(plan.at(w).offset, plan.at(y).offset);
  EXPECT_NE(plan.at(x).offset, plan.at(y).offset);
}

TEST(Planner, BroadcastOperandIsNeverOverwritten) {
  // add(s[1], x[64]): s is broadcast (read for every output element) so the output may not
  // take it; it takes x, the same-shaped operand. With both broadcasting nothing is reused.
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* s = b.layer("s", {in}, 1);
  ir::Value* x = b.layer("x", {in}, 64);
  ir::Value* y = b.node("cortex_m.quantized_add", {s, x}, "y");
  ir::Value* t = b.layer("t", {y}, 1);
  ir::Value* u = b.layer("u", {y}, 1);
  ir::Value* v = b.node("cortex_m.minimum", {t, u}, "v");  // [1] op [1]: same size, in place
  ir::Value* r = b.reshape("r", v, {1, 1});
  ir::Value* k = b.layer("k", {r}, 4);
  ir::Value* w = b.node("cortex_m.quantized_add", {r, k}, "w");  // r broadcasts to [1, 4]
  b.output(w);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(y).shares, x);
  EXPECT_EQ(plan.at(y).reuse, Reuse::kInPlace);
  EXPECT_EQ(plan.at(v).shares, t);
  EXPECT_EQ(plan.at(r).reuse, Reuse::kAlias);
  // w: input 0 (r, 1 byte) is broadcast; input 1 (k, [4]) dies here with the output's size.
  EXPECT_EQ(plan.at(w).shares, k);
}

TEST(Planner, SameValueTwiceIsStillInPlace) {
  Builder b;
  ir::Value* in = b.input("in", {32});
  ir::Value* x = b.layer("x", {in}, 32);
  ir::Value* y = b.node("cortex_m.quantized_mul", {x, x}, "y");
  b.output(y);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(y).shares, x);
  EXPECT_EQ(plan.at(y).offset, plan.at(x).offset);
}

TEST(Planner, GraphInputsAndOutputsAreNeverOverwritten) {
  // Graph inputs and outputs are the caller's bytes (it may bind them outside the arena): no
  // op writes over them. lut over a graph input is not in place...
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* y = b.lut("y", in);
  // ...and y, a graph output that also feeds a lut, is not overwritten either.
  ir::Value* z = b.lut("z", y);
  b.output(y);
  b.output(z);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(y).reuse, Reuse::kNone);
  EXPECT_EQ(plan.at(z).reuse, Reuse::kNone);
  // Graph inputs live from the start to their last use, graph outputs to the last node:
  // in [0,0] -> 0; y [0,1] -> 64; z [1,1] -> 0 (in's slot is free once node 0 has read it).
  expect_alloc(plan, in, 0, 64, 0, 0);
  expect_alloc(plan, y, 64, 64, 0, 1);
  expect_alloc(plan, z, 0, 64, 1, 1);
  EXPECT_EQ(plan.arena_bytes, 128);
}

TEST(Planner, LutChainRunsInOneBuffer) {
  // x -> lut -> y -> lut -> z -> layer: each lut writes over its dying input.
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* x = b.layer("x", {in}, 64);
  ir::Value* y = b.lut("y", x);
  ir::Value* z = b.lut("z", y);
  ir::Value* out = b.layer("out", {z}, 16);
  b.output(out);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(y).shares, x);
  EXPECT_EQ(plan.at(z).shares, y);
  EXPECT_EQ(plan.at(y).offset, plan.at(x).offset);
  EXPECT_EQ(plan.at(z).offset, plan.at(x).offset);
  EXPECT_EQ(plan.arena_bytes, 128);  // in + x at node 0; later {x, y, z} + out fit in it
}

TEST(Planner, ReshapeAliasesItsInputAndExtendsItsLife) {
  // in[64] -> x[128] -> reshape y[8,16] -> z[128]. x's own last use is the reshape (node 1),
  // but its bytes are y's, read by node 2: z must not take them.
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* x = b.layer("x", {in}, 128);
  ir::Value* y = b.reshape("y", x, {8, 16});
  ir::Value* z = b.layer("z", {y}, 128);
  b.output(z);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(y).reuse, Reuse::kAlias);
  EXPECT_EQ(plan.at(y).shares, x);
  // Buffers: {x, y} 128 [0,2] -> 0; z 128 [2,2] -> 128; in 64 [0,0] -> 128.
  expect_alloc(plan, x, 0, 128, 0, 1);
  expect_alloc(plan, y, 0, 128, 1, 2);
  expect_alloc(plan, z, 128, 128, 2, 2);
  expect_alloc(plan, in, 128, 64, 0, 0);
  EXPECT_EQ(plan.arena_bytes, 256);
  EXPECT_EQ(plan.naive_arena_bytes, 64 + 128 + 128 + 128);

  // Reshape aliasing does not depend on the in-place option.
  EXPECT_EQ(b.plan({.in_place = false}).at(y).reuse, Reuse::kAlias);
}

TEST(Planner, ReshapeOfAGraphInputAliasesButBlocksInPlace) {
  Builder b;
  ir::Value* in = b.input("in", {4, 4});
  ir::Value* flat = b.reshape("flat", in, {16});
  ir::Value* y = b.lut("y", flat);
  b.output(y);
  const planner::MemoryPlan plan = b.plan();
  EXPECT_EQ(plan.at(flat).offset, plan.at(in).offset);
  EXPECT_EQ(plan.at(y).reuse, Reuse::kNone);  // flat's bytes are the caller's input
  EXPECT_NE(plan.at(y).offset, plan.at(in).offset);
}

TEST(Planner, ScratchLivesDuringItsNodeOnly) {
  // in[64] -> a[64] (scratch 100) -> out[64]. At node 0: in, a and the scratch (100 bytes);
  // at node 1: a and out. Greedy: scratch 100 [0,0] -> 0; in [0,0] -> 112; a [0,1] -> 176;
  // out [1,1] conflicts only a -> 0 (over the dead scratch).
  Builder b;
  ir::Value* in = b.input("in", {64});
  ir::Value* a = b.layer("a", {in}, 64, /*scratch=*/100);
  ir::Value* out = b.layer("out", {a}, 64);
  b.output(out);
  const planner::MemoryPlan plan = b.plan();
  ASSERT_EQ(plan.scratch.size(), 1u);
  const ir::Node* node = a->producer;
  const planner::Allocation* scratch = plan.find_scratch(node);
  ASSERT_NE(scratch, nullptr);
  EXPECT_EQ(scratch->node, node);
  EXPECT_EQ(scratch->value, nullptr);
  EXPECT_EQ(scratch->name, "n_a:scratch");
  EXPECT_EQ(scratch->offset, 0);
  EXPECT_EQ(scratch->bytes, 100);
  EXPECT_EQ(scratch->first, 0);
  EXPECT_EQ(scratch->last, 0);
  EXPECT_EQ(plan.find_scratch(out->producer), nullptr);
  expect_alloc(plan, in, 112, 64, 0, 0);
  expect_alloc(plan, a, 176, 64, 0, 1);
  expect_alloc(plan, out, 0, 64, 1, 1);
  EXPECT_EQ(plan.arena_bytes, 240);
  EXPECT_EQ(plan.live_lower_bound, 228);
  EXPECT_EQ(plan.naive_arena_bytes, 64 * 3 + 112);
}

TEST(Planner, RealOpsReportTheirKernelsScratch) {
  // transpose_conv2d_s8 needs 4 * out_w * out_c bytes of int32 accumulators; conv2d_s8 (1x1,
  // 3 -> 3 channels) 5 * 16 bytes of im2col columns + 64 of requantization tables + 16.
  ir::Graph graph;
  ir::Value* x = graph.add_value("x", ir::DType::kInt8, {1, 2, 2, 2});
  x->quant = quant();
  graph.inputs().push_back(x);
  ir::Tensor weight(ir::DType::kInt8, {3, 2, 2, 2});
  ir::Value* w = graph.add_constant("w", weight);
  w->quant = ir::QuantParams{{0.5f, 0.5f, 0.5f}, {0, 0, 0}, 0};
  ir::Value* y = graph.add_value("y", ir::DType::kInt8, {});
  y->quant = quant();
  ir::Attributes attrs;
  attrs.set("strides", std::vector<int64_t>{2, 2});
  ir::Node* tconv =
      graph.add_node("cortex_m.quantized_transpose_conv2d", {x, w}, {y}, attrs, "tconv");
  ir::Value* z = graph.add_value("z", ir::DType::kInt8, {});
  z->quant = quant();
  ir::Tensor weight2(ir::DType::kInt8, {3, 1, 1, 3});
  ir::Value* w2 = graph.add_constant("w2", weight2);
  w2->quant = ir::QuantParams{{0.5f, 0.5f, 0.5f}, {0, 0, 0}, 0};
  ir::Node* conv = graph.add_node("cortex_m.quantized_conv2d", {y, w2}, {z}, {}, "conv");
  graph.outputs().push_back(z);
  ir::infer_shapes(graph);
  ir::verify(graph);
  ASSERT_EQ(y->shape, (ir::Shape{1, 4, 4, 3}));
  EXPECT_EQ(ir::scratch_bytes_of(*tconv), 4 * 4 * 3);
  EXPECT_EQ(ir::scratch_bytes_of(*conv), 160);

  const planner::MemoryPlan plan = planner::plan_memory(graph);
  EXPECT_EQ(plan.find(w), nullptr);  // constants are not in the arena
  ASSERT_NE(plan.find_scratch(tconv), nullptr);
  EXPECT_EQ(plan.find_scratch(tconv)->bytes, 48);
  ASSERT_NE(plan.find_scratch(conv), nullptr);
  EXPECT_EQ(plan.find_scratch(conv)->bytes, 160);
  // Node 0: x (8), y (48), scratch (48); node 1: y, z (48), scratch (160). Greedy: the conv
  // scratch [1,1] -> 0; y [0,1] -> 160; the tconv scratch [0,0] -> 0 (the conv scratch is not
  // live yet); z [1,1] -> 208; x [0,0] -> 48.
  EXPECT_EQ(plan.find_scratch(conv)->offset, 0);
  EXPECT_EQ(plan.find_scratch(tconv)->offset, 0);
  EXPECT_EQ(plan.at(x).offset, 48);
  EXPECT_EQ(plan.arena_bytes, 256);
  EXPECT_THROW(plan.at(w), tinyexec::CompileError);
}

TEST(Planner, ReportListsEveryBufferAndThePeak) {
  Residual r;
  const std::string report = r.b.plan().to_string();
  EXPECT_NE(report.find("arena 128 bytes"), std::string::npos) << report;
  EXPECT_NE(report.find("naive 256"), std::string::npos) << report;
  for (const char* name : {"in", "x", "y", "z"}) {
    EXPECT_NE(report.find(std::string(" ") + name), std::string::npos) << name << "\n" << report;
  }
  EXPECT_NE(report.find("(in place over x)"), std::string::npos) << report;
  EXPECT_NE(report.find("[0, 2]"), std::string::npos) << report;
}

TEST(Planner, EmptyAndPassThroughGraphs) {
  ir::Graph empty;
  EXPECT_EQ(planner::plan_memory(empty).arena_bytes, 0);
  // A graph input that is also its output, no nodes.
  Builder b;
  ir::Value* in = b.input("in", {10});
  b.output(in);
  const planner::MemoryPlan plan = b.plan();
  expect_alloc(plan, in, 0, 10, 0, 0);
  EXPECT_EQ(plan.arena_bytes, 10);
}

TEST(Planner, UndefinedInputIsAnError) {
  ir::Graph graph;
  ir::Value* orphan = graph.add_value("orphan", ir::DType::kInt8, {4});
  ir::Value* out = graph.add_value("out", ir::DType::kInt8, {4});
  ir::Attributes attrs;
  attrs.set("size", int64_t{4});
  graph.add_node("test.planner_layer", {orphan}, {out}, attrs, "layer");
  graph.outputs().push_back(out);
  try {
    planner::plan_memory(graph);
    ADD_FAILURE() << "planned a graph with an undefined input";
  } catch (const tinyexec::CompileError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("node 'layer'"), std::string::npos) << message;
    EXPECT_NE(message.find("'orphan'"), std::string::npos) << message;
  }
}

}  // namespace
