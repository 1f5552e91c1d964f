//===- DsQuantOps.td - quantization ops -------------------------*- tablegen -*-===//

#ifndef DS_QUANT_OPS_TD
#define DS_QUANT_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

#endif // DS_QUANT_OPS_TD
