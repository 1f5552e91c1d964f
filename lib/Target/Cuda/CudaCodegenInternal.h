//===- CudaCodegenInternal.h - shared by the kernel families ------*- C++ -*-===//
#ifndef DS_LIB_TARGET_CUDA_CUDACODEGENINTERNAL_H
#define DS_LIB_TARGET_CUDA_CUDACODEGENINTERNAL_H

#include "ds/Target/Cuda/CudaCodegen.h"

#include <optional>
#include <string>

namespace mlir::ds::cuda {

/// Where a generated text puts its kernel name (see finishKernel).
inline constexpr llvm::StringLiteral kKernelNamePlaceholder = "@KERNEL@";

/// Limits of ds_device.cuh's KernelParams.
inline constexpr int64_t kMaxOperands = 16; // DS_MAX_OPERANDS
inline constexpr int64_t kMaxDims = 64;     // DS_MAX_DIMS

/// Compute classes of runtime/kernels/elementwise.cuh: the type a value has in registers.
enum class Cls { F32, F64, I64, U64, Bool };

/// A bundle dtype as kernels see it.
struct DTypeInfo {
  llvm::StringRef name;
  llvm::StringRef storage; // C type of one stored element
  Cls cls;
  llvm::StringRef load;  // ds::ew load function (pointer, index) -> compute class
  llvm::StringRef store; // ds::ew store function (pointer, index, value)
  llvm::StringRef wrap;  // re-establishes a narrow integer type, or empty
};

/// The bundle dtype `name`, or null when kernels do not handle it.
const DTypeInfo *lookupDType(llvm::StringRef name);
/// Bytes of one stored element.
unsigned storageBytes(const DTypeInfo &t);
/// The C type of a compute class ("float", "double", "int64_t", "uint64_t", "bool").
llvm::StringRef computeType(Cls c);
bool isFloat(Cls c);
bool isInt(Cls c);

/// A generator error (the caller names the step).
llvm::Error fail(const llvm::Twine &message);
/// A valid step beyond the kernel ABI's limits: the bundle writer warns and leaves the
/// step without a kernel.
llvm::Error beyondLimits(const llvm::Twine &message);

/// Exact C++ literals: hex floats (f32 gets an `f` suffix; NaN and inf through
/// ds::ew helpers), int64/uint64 with their type spelled out.
std::string hexFloat(double v, bool f32);
std::string floatLiteral(double v, Cls cls);
std::string intLiteral(int64_t v);
std::string uintLiteral(uint64_t v);
/// A JSON float as the bundle writes it: a number, a bool, "nan" / "inf" / "-inf", or a
/// one-element list of those.
std::optional<double> jsonFloat(const llvm::json::Value &v);

bool isStatic(llvm::ArrayRef<int64_t> shape);
int64_t numel(llvm::ArrayRef<int64_t> shape);
/// "[2,?,3]".
std::string shapeText(llvm::ArrayRef<int64_t> shape);
/// "{a, b, c}" (a C++ brace list).
std::string arrayText(llvm::ArrayRef<std::string> items);
std::string arrayText(llvm::ArrayRef<int64_t> items);

/// Where each operand's dims sit in params.dims (inputs then outputs, absent operands
/// contribute none), and C++ expressions for them: a literal for a static dim, a
/// `ds::dim(params, k)` read for a dynamic one (a constant under -DDS_SPECIALIZED_DIMS).
class OperandDims {
public:
  explicit OperandDims(const StepInfo &step);
  /// Inputs then outputs.
  const OperandInfo &operand(size_t i) const { return *operands[i]; }
  size_t size() const { return operands.size(); }
  /// Every operand's shape is static.
  bool allStatic() const { return staticShapes; }
  /// The dims every present operand has in params.dims.
  int64_t totalDims() const { return total; }
  /// An error when the dims of a kernel with dynamic shapes do not fit params.dims.
  llvm::Error checkLimits() const;
  /// The expression of dim `axis` of operand `i` (an int64_t).
  std::string dim(size_t i, size_t axis) const;
  /// The product of dims [begin, end) of operand `i` (constants folded).
  std::string product(size_t i, size_t begin, size_t end) const;

private:
  llvm::SmallVector<const OperandInfo *> operands;
  llvm::SmallVector<int64_t> offsets;
  int64_t total = 0;
  bool staticShapes = true;
};

/// An elementwise program (attrs "program" / "results" of `programStep`; its inputs and
/// outputs give the register types) as `DS_DEVICE void NAME(T r0, ..., T &res0, ...)`.
llvm::Expected<std::string> emitProgramFunction(const StepInfo &programStep,
                                                llvm::StringRef name);

/// Family generators (one per step kind).
llvm::Expected<GeneratedKernel> generateElementwiseKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateReductionKernel(const StepInfo &step); // reduce, arg_reduce, softmax, log_softmax, hardmax, layer_norm, rms_norm, cumsum, topk
llvm::Expected<GeneratedKernel> generateIndexingKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateAttentionKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateRopeKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateMoeKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateQuantizeKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateDequantizeKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateDynamicQuantizeKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateMatmulNBitsKernel(const StepInfo &step);
llvm::Expected<GeneratedKernel> generateGemmKernel(const StepInfo &step); // matmul, linear
llvm::Expected<GeneratedKernel> generateMovementKernel(const StepInfo &step);

} // namespace mlir::ds::cuda

#endif
