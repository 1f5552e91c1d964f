//===- DsTransformerOps.td - attention, rope, moe --------------*- tablegen -*-===//

#ifndef DS_TRANSFORMER_OPS_TD
#define DS_TRANSFORMER_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

#endif // DS_TRANSFORMER_OPS_TD
