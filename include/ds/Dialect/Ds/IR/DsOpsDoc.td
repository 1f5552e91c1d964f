// Aggregates every op group for documentation generation only.
include "ds/Dialect/Ds/IR/DsDataOps.td"
include "ds/Dialect/Ds/IR/DsElementwiseOps.td"
include "ds/Dialect/Ds/IR/DsMathOps.td"
include "ds/Dialect/Ds/IR/DsShapeOps.td"
include "ds/Dialect/Ds/IR/DsTransformerOps.td"
include "ds/Dialect/Ds/IR/DsQuantOps.td"
