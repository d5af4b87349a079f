// PRELU on tensors stored in bf16 (a bf16 model keeps the activations on
// both sides of a PReLU in bf16): the kernel's own loop, whose float32 form
// onednn_vs_reference_test compares with the reference kernel, here with
// bf16 on either side. Expected values: the PReLU computed in float32 on the
// bf16 inputs' exact values, rounded to bf16 by oneDNN's own conversion (a
// reorder), bit for bit; the inputs include ties of the rounding, zeros of
// both signs, infinities and NaN, and a tensor that ends in a part-filled
// vector over a channel count (5) that does not divide the vector's lanes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <vector>

#include "nn/kernel.h"
#include "nn/onednn/onednn_kernels.h"
#include "nn/ops/op_test_util.h"

namespace signprep::nn {
namespace {

using reference::testing::Floats;
using reference::testing::OpTester;
using Bf16s = std::vector<std::uint16_t>;

float from_bf16(std::uint16_t b) {
  const std::uint32_t bits = std::uint32_t{b} << 16;
  float v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// oneDNN's conversion from float32 to bf16, the reference for the rounding.
Bf16s onednn_to_bf16(const Floats& values) {
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const dnnl::memory::dims dims = {static_cast<dnnl::memory::dim>(values.size())};
  Bf16s result(values.size());
  dnnl::memory from({dims, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a}, engine,
                    const_cast<float*>(values.data()));
  dnnl::memory to({dims, dnnl::memory::data_type::bf16, dnnl::memory::format_tag::a}, engine,
                  result.data());
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
  return result;
}

float prelu(float x, float alpha) {
  return x >= 0 ? x : x * alpha;
}

constexpr int kChannels = 5;
constexpr int kPixels = 23;  // 115 elements: seven vectors of 16 and 3 more
constexpr int kCount = kChannels * kPixels;

struct Case {
  Floats alpha;
  Bf16s x;  // the input as bf16 bits
};

// A NaN whose every mantissa bit is set: rounding it as a number would carry
// into the sign bit and give -0.
float nan_of_all_ones() {
  const std::uint32_t bits = 0x7fffffffu;
  float v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Random bf16 values of both signs and a wide range of exponents, with the
// special values and two rounding ties (x = -1 times a slope of 1 + 2^-8 or
// 1 + 3 * 2^-8 falls halfway between two bf16 values) at the front; one
// channel's slope is a NaN, which a negative x takes on.
Case make_case() {
  Case c;
  c.alpha = {1.0f + std::ldexp(1.0f, -8), 1.0f + 3 * std::ldexp(1.0f, -8), 0.3f, -0.7f,
             nan_of_all_ones()};
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> exponent(-20, 20);
  std::uniform_real_distribution<float> mantissa(-2.0f, 2.0f);
  Floats x(kCount);
  for (float& v : x) v = std::ldexp(mantissa(random), exponent(random));
  const float inf = std::numeric_limits<float>::infinity();
  const Floats specials = {-1.0f, -1.0f, -0.0f,         0.0f,  -0.0f, -inf,
                           inf,   -inf,  std::nanf(""), -1.0f, 2.5f};
  std::copy(specials.begin(), specials.end(), x.begin());
  c.x = onednn_to_bf16(x);
  return c;
}

// Runs the kernel with the input and output stored as given; data in the
// stored types, float32 vectors holding bf16 bits where stored in bf16.
class PreluRun {
 public:
  PreluRun(const Case& c, onednn::StoredType in, onednn::StoredType out) {
    tester_.input({1, kPixels, kChannels}, Floats(kCount));
    tester_.constant({1, 1, kChannels}, c.alpha);
    tester_.output({1, kPixels, kChannels});
    context_.precision = CpuPrecision::kBf16;
    context_.stored.assign(tester_.model.tensors.size(), onednn::StoredType::kF32);
    context_.stored[static_cast<std::size_t>(tester_.op.inputs[0])] = in;
    context_.stored[static_cast<std::size_t>(tester_.op.outputs[0])] = out;
  }

  template <typename In, typename Out>
  void run(const std::vector<In>& x, std::vector<Out>& out) {
    const std::vector<const float*> inputs = {
        reinterpret_cast<const float*>(x.data()),
        tester_.model.tensors[static_cast<std::size_t>(tester_.op.inputs[1])].values.data()};
    const std::vector<float*> outputs = {reinterpret_cast<float*>(out.data())};
    std::unique_ptr<Kernel> kernel =
        onednn::make_onednn_kernel(context_, tester_.model, tester_.op, inputs, outputs);
    ASSERT_NE(kernel, nullptr);
    kernel->run();
  }

 private:
  OpTester tester_{OpType::kPrelu, "PRELU #0"};
  onednn::Context context_;
};

void expect_same_bf16(const Bf16s& actual, const Bf16s& expected) {
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const float a = from_bf16(actual[i]), e = from_bf16(expected[i]);
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i;
    } else {
      EXPECT_EQ(actual[i], expected[i]) << "element " << i << ": " << a << ", expected " << e;
    }
  }
}

TEST(PreluBf16, Bf16InBf16OutRoundsLikeOnednn) {
  const Case c = make_case();
  Floats exact(kCount);
  for (int i = 0; i < kCount; ++i) exact[i] = prelu(from_bf16(c.x[i]), c.alpha[i % kChannels]);
  const Bf16s expected = onednn_to_bf16(exact);
  // The ties went to the even neighbour: -1 and -(1 + 2^-6).
  ASSERT_EQ(from_bf16(expected[0]), -1.0f);
  ASSERT_EQ(from_bf16(expected[1]), -(1.0f + std::ldexp(1.0f, -6)));
  Bf16s out(kCount, 0xdead);
  PreluRun(c, onednn::StoredType::kBf16, onednn::StoredType::kBf16).run(c.x, out);
  expect_same_bf16(out, expected);
}

// The output in bf16, the input in float32: the source is converted to bf16
// first (the kernel computes in its output's type).
TEST(PreluBf16, Float32InBf16Out) {
  const Case c = make_case();
  Floats x(kCount), exact(kCount);
  for (int i = 0; i < kCount; ++i) {
    x[i] = from_bf16(c.x[i]);
    exact[i] = prelu(x[i], c.alpha[i % kChannels]);
  }
  Bf16s out(kCount, 0xdead);
  PreluRun(c, onednn::StoredType::kF32, onednn::StoredType::kBf16).run(x, out);
  expect_same_bf16(out, onednn_to_bf16(exact));
}

// The output in float32, the input in bf16: exact float32 results.
TEST(PreluBf16, Bf16InFloat32Out) {
  const Case c = make_case();
  Floats out(kCount, -12345.0f);
  PreluRun(c, onednn::StoredType::kBf16, onednn::StoredType::kF32).run(c.x, out);
  for (int i = 0; i < kCount; ++i) {
    const float expected = prelu(from_bf16(c.x[i]), c.alpha[i % kChannels]);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(out[i])) << "element " << i;
    } else {
      EXPECT_EQ(out[i], expected) << "element " << i;
    }
  }
}

}  // namespace
}  // namespace signprep::nn
