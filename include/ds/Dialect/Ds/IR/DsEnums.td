//===- DsEnums.td - ds dialect enumerations --------------------*- tablegen -*-===//

#ifndef DS_ENUMS_TD
#define DS_ENUMS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "mlir/IR/EnumAttr.td"

// Enums are stored as specialized i32 attributes (as arith.cmpi does): ops print
// them as bare keywords and bytecode stores plain integers.
class DS_Case<string sym, int val> : I32EnumAttrCase<sym, val>;
// C++ alternative tokens (and, or, not, xor) cannot name enumerators.
class DS_KeywordCase<string word, int val> : I32EnumAttrCase<word # "_", val, word>;

// Elementwise functions of one operand. Parameters (alpha, beta, ...) live in the op's
// optional float attributes; docs/dialect.md gives each function's formula.
def DS_UnaryFn : I32EnumAttr<"UnaryFn", "elementwise function of one operand", [
    DS_Case<"neg", 0>, DS_Case<"abs", 1>, DS_Case<"sign", 2>, DS_Case<"exp", 3>,
    DS_Case<"log", 4>, DS_Case<"sqrt", 5>, DS_Case<"rsqrt", 6>, DS_Case<"reciprocal", 7>,
    DS_Case<"floor", 8>, DS_Case<"ceil", 9>, DS_Case<"round", 10>, DS_Case<"tanh", 11>,
    DS_Case<"erf", 12>, DS_Case<"sigmoid", 13>, DS_Case<"relu", 14>,
    DS_Case<"leaky_relu", 15>, DS_Case<"gelu", 16>, DS_Case<"gelu_tanh", 17>,
    DS_Case<"elu", 18>, DS_Case<"selu", 19>, DS_Case<"celu", 20>,
    DS_Case<"softplus", 21>, DS_Case<"softsign", 22>, DS_Case<"mish", 23>,
    DS_Case<"hard_sigmoid", 24>, DS_Case<"hard_swish", 25>,
    DS_Case<"thresholded_relu", 26>, DS_Case<"shrink", 27>, DS_Case<"silu", 28>,
    DS_Case<"cos", 29>, DS_Case<"sin", 30>, DS_Case<"tan", 31>, DS_Case<"asin", 32>,
    DS_Case<"acos", 33>, DS_Case<"atan", 34>, DS_Case<"sinh", 35>, DS_Case<"cosh", 36>,
    DS_Case<"asinh", 37>, DS_Case<"acosh", 38>, DS_Case<"atanh", 39>,
    DS_Case<"is_inf", 40>, DS_Case<"is_nan", 41>, DS_KeywordCase<"not", 42>,
    DS_Case<"bitwise_not", 43>, DS_Case<"identity", 44>, DS_Case<"square", 45>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_BinaryFn : I32EnumAttr<"BinaryFn", "elementwise function of two operands", [
    DS_Case<"add", 0>, DS_Case<"sub", 1>, DS_Case<"mul", 2>, DS_Case<"div", 3>,
    DS_Case<"pow", 4>, DS_Case<"mod", 5>, DS_Case<"fmod", 6>, DS_Case<"max", 7>,
    DS_Case<"min", 8>, DS_KeywordCase<"and", 9>, DS_KeywordCase<"or", 10>, DS_KeywordCase<"xor", 11>,
    DS_Case<"shift_left", 12>, DS_Case<"shift_right", 13>,
    DS_Case<"bitwise_and", 14>, DS_Case<"bitwise_or", 15>, DS_Case<"bitwise_xor", 16>,
    DS_Case<"prelu", 17>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_CompareFn : I32EnumAttr<"CompareFn", "elementwise comparison", [
    DS_Case<"eq", 0>, DS_Case<"ne", 1>, DS_Case<"lt", 2>, DS_Case<"le", 3>,
    DS_Case<"gt", 4>, DS_Case<"ge", 5>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_ReduceFn : I32EnumAttr<"ReduceFn", "reduction over axes", [
    DS_Case<"sum", 0>, DS_Case<"mean", 1>, DS_Case<"max", 2>, DS_Case<"min", 3>,
    DS_Case<"prod", 4>, DS_Case<"l1", 5>, DS_Case<"l2", 6>, DS_Case<"sum_square", 7>,
    DS_Case<"log_sum", 8>, DS_Case<"log_sum_exp", 9>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_ArgReduceFn : I32EnumAttr<"ArgReduceFn", "index-returning reduction", [
    DS_Case<"argmax", 0>, DS_Case<"argmin", 1>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    DS_Case<"constant", 0>, DS_Case<"reflect", 1>, DS_Case<"edge", 2>, DS_Case<"wrap", 3>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_ScatterReduction : I32EnumAttr<"ScatterReduction", "how scattered updates combine", [
    DS_Case<"none", 0>, DS_Case<"add", 1>, DS_Case<"mul", 2>, DS_Case<"max", 3>,
    DS_Case<"min", 4>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_RopeStyle : I32EnumAttr<"RopeStyle", "which element pairs RoPE rotates", [
    DS_Case<"rotate_half", 0>, DS_Case<"interleaved", 1>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_GatingFn : I32EnumAttr<"GatingFn", "MoE router score function", [
    DS_Case<"softmax", 0>, DS_Case<"sigmoid", 1>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_GroupScoreFn : I32EnumAttr<"GroupScoreFn", "how an expert group is scored for group-limited top-k", [
    DS_Case<"max", 0>, DS_Case<"top2_sum", 1>
  ]> {
  let cppNamespace = "::mlir::ds";
}

def DS_ActivationFn : I32EnumAttr<"ActivationFn", "gated MLP activation", [
    DS_Case<"silu", 0>, DS_Case<"gelu", 1>, DS_Case<"gelu_tanh", 2>, DS_Case<"relu", 3>
  ]> {
  let cppNamespace = "::mlir::ds";
}

#endif // DS_ENUMS_TD
