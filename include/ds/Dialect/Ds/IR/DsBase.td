//===- DsBase.td - ds dialect definition, shared constraints ---*- tablegen -*-===//

#ifndef DS_BASE_TD
#define DS_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Ds_Dialect : Dialect {
  let name = "ds";
  let cppNamespace = "::mlir::ds";
  let summary = "Tensor-level IR for DeepSeek-style transformer models";
  let description = [{
    The `ds` dialect holds imported ONNX graphs and every graph-level optimization
    of the ds compiler: attention, RoPE, norm and MoE fusion, then kernel formation.
    Ops work on builtin ranked tensors whose dims may be dynamic (`?`). Weights
    are resource blobs or references to external data, never inline text.
  }];
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    // One per op group; each lives beside that group's generated definitions.
    void registerDataOps();
    void registerElementwiseOps();
    void registerMathOps();
    void registerShapeOps();
    void registerTransformerOps();
    void registerQuantOps();
  }];
}

class DS_Op<string mnemonic, list<Trait> traits = []>
    : Op<Ds_Dialect, mnemonic, traits>;

// Checks that result types refine the inferred ones, with a message that prints both
// (the generic interface check only says that inference failed).
def DS_RefinesInferredType : NativeOpTrait<"RefinesInferredType"> {
  let cppNamespace = "::mlir::ds";
}

// Ops whose result types follow from operands and attributes. Builders may omit result
// types; a result type may be more static than the inferred one (a refinement).
class DS_InferOp<string mnemonic, list<Trait> traits = []>
    : DS_Op<mnemonic, traits # [InferTypeOpAdaptorWithIsCompatible,
                                DS_RefinesInferredType]>;

//===----------------------------------------------------------------------===//
// Element types and tensor constraints.
//===----------------------------------------------------------------------===//

// DESIGN.md lists f32 f16 bf16 f8E4M3FN f8E5M2 i64 i32 i8 i4 i1 as the model types. The
// other ONNX types (f64, i16, unsigned) are accepted too so that every ONNX graph imports;
// kernels may reject them later. See docs/dialect.md.
def DS_Float : AnyTypeOf<[F64, F32, F16, BF16, F8E4M3FN, F8E5M2]>;
def DS_SignedInt : AnyTypeOf<[I64, I32, I16, I8, I<4>]>;
def DS_UnsignedInt : AnyTypeOf<[UI64, UI32, UI16, UI8, UI<4>]>;
def DS_Int : AnyTypeOf<[DS_SignedInt, DS_UnsignedInt]>;
def DS_Bool : TypeAlias<I1>;
def DS_Element : AnyTypeOf<[DS_Float, DS_Int, I1]>;

def DS_Tensor : RankedTensorOf<[DS_Element]>;
def DS_FloatTensor : RankedTensorOf<[DS_Float]>;
def DS_IntTensor : RankedTensorOf<[DS_Int]>;
def DS_BoolTensor : RankedTensorOf<[I1]>;
// Index-like operands (shapes, axes, indices).
def DS_IndexTensor : RankedTensorOf<[I64, I32]>;
def DS_ShapeTensor : 1DTensorOf<[I64]>;

#endif // DS_BASE_TD
