// The fused elementwise program of docs/bundle.md ("Fused elementwise program") and its
// cpu executor. Plain unary/binary/compare/select/cast steps run as one-instruction
// programs through the same executor.
#pragma once

#include "Kernel.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ds::rt::ew {

// ds enum keywords (include/ds/Dialect/Ds/IR/DsEnums.td), in enum order.
enum class UnaryFn : uint8_t {
  Neg, Abs, Sign, Exp, Log, Sqrt, Rsqrt, Reciprocal, Floor, Ceil, Round, Tanh, Erf,
  Sigmoid, Relu, LeakyRelu, Gelu, GeluTanh, Elu, Selu, Celu, Softplus, Softsign, Mish,
  HardSigmoid, HardSwish, ThresholdedRelu, Shrink, Silu, Cos, Sin, Tan, Asin, Acos, Atan,
  Sinh, Cosh, Asinh, Acosh, Atanh, IsInf, IsNan, Not, BitwiseNot, Identity, Square,
};
enum class BinaryFn : uint8_t {
  Add, Sub, Mul, Div, Pow, Mod, Fmod, Max, Min, And, Or, Xor, ShiftLeft, ShiftRight,
  BitwiseAnd, BitwiseOr, BitwiseXor, Prelu,
};
enum class CompareFn : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

bool parseUnaryFn(const std::string &name, UnaryFn &fn);
bool parseBinaryFn(const std::string &name, BinaryFn &fn);
bool parseCompareFn(const std::string &name, CompareFn &fn);
const char *unaryFnName(UnaryFn fn);
const char *binaryFnName(BinaryFn fn);

// Default parameters of the parameterized unary functions (the ONNX attribute defaults
// the importer uses), for a step whose `alpha` / `beta` is absent.
double defaultAlpha(UnaryFn fn);
double defaultBeta(UnaryFn fn);

enum class OpKind : uint8_t { Unary, Binary, Compare, Select, Cast, Constant };

struct Instruction {
  OpKind op = OpKind::Unary;
  uint8_t fn = 0;         // UnaryFn / BinaryFn / CompareFn by op
  std::vector<int> args;  // registers
  DType dtype = DType::F32;
  double alpha = 0, beta = 0;
  bool saturate = true;
  // Constant value: exactly one of these is meaningful by the dtype's class.
  double floatValue = 0;
  int64_t intValue = 0;
  uint64_t uintValue = 0;
};

// Registers 0..numInputs-1 are the step inputs; instruction i defines numInputs + i.
struct Program {
  int numInputs = 0;
  std::vector<DType> registerTypes;
  std::vector<Instruction> instructions;
  std::vector<int> results;
};

// Builds the program of an `elementwise` step (attrs program/results) or of a plain
// unary/binary/compare/select/cast step, checking operand counts, register references
// and dtypes. `fail` throws an Error naming the step.
Program buildProgram(const StepDesc &step, const std::vector<DType> &inputTypes,
                     const std::vector<DType> &outputTypes,
                     const std::function<void(const std::string &)> &fail);

// The program of a matmul/linear step's `attrs.epilogue` (docs/bundle.md "Epilogues"):
// input 0 is the product, the others the step's extra inputs.
Program buildEpilogueProgram(const StepDesc &step, const std::vector<DType> &inputTypes,
                             const std::vector<DType> &outputTypes,
                             const std::function<void(const std::string &)> &fail);

// numpy broadcasting of `a` and `b`; false when they are incompatible.
bool broadcastShapes(const Shape &a, const Shape &b, Shape &out);

// Runs `program` over ctx.inputs -> ctx.outputs (all outputs share one shape to which
// every input broadcasts). Safe when an output buffer is an input buffer.
void runProgram(KernelContext &ctx, const Program &program);

struct ExecPlan;

// `program` bound to inputs and outputs (checked as runProgram does), run over ranges
// of output elements by the caller's threads: epilogues run block by block right after
// their product is computed. A `windowed` input has the output shape and no data here:
// each run() supplies its elements of the range (a product block in a scratch buffer).
// Other inputs broadcast as usual. An output may be an input buffer with the same
// elements (in place); other overlapping inputs are copied once, here.
class RangeRunner {
public:
  RangeRunner(const Program &program, const std::vector<TensorView> &inputs,
              const std::vector<TensorView> &outputs, const std::vector<bool> &windowed,
              const std::function<void(const std::string &)> &fail);
  ~RangeRunner();
  RangeRunner(const RangeRunner &) = delete;
  RangeRunner &operator=(const RangeRunner &) = delete;

  // Number of output elements.
  int64_t size() const;
  // Computes output elements [begin, end) on the calling thread (ranges of concurrent
  // calls must not overlap). windows[i] points at element `begin` of windowed input i
  // (entries of other inputs are ignored; may be null when none is windowed).
  void run(int64_t begin, int64_t end, const void *const *windows) const;

private:
  std::unique_ptr<ExecPlan> plan_;
};

}  // namespace ds::rt::ew
