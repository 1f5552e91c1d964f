// .npy files (format versions 1.0, 2.0, 3.0): little-endian, C order.
//
// dtype mapping (numpy descr -> ds dtype):
//   <f2 f16, <f4 f32, <f8 f64, |i1 i8, <i2 i16, <i4 i32, <i8 i64, |u1 ui8, <u2 ui16,
//   <u4 ui32, <u8 ui64, |b1 i1.
// ml_dtypes arrays saved by numpy carry no type name: bfloat16 is '<V2', float8_e4m3fn
// '<V1' and float8_e5m2 '<f1'. Reading maps '<V2' to bf16, '<V1' to f8E4M3FN and '<f1'
// to f8E5M2 unless `rawAs` names another dtype of that size (the tensor a file feeds
// decides); writing uses '<V2' for bf16 and '|V1' for both float8 types, so
// np.load(...).view(ml_dtypes.bfloat16) recovers the values.
#pragma once

#include "ds/runtime/Runtime.h"

#include <optional>
#include <string>

namespace ds::rt {

// Throws Error naming the file for a missing file, a malformed header, Fortran order,
// big-endian data, an unsupported dtype or a truncated body.
Tensor readNpy(const std::string &path, std::optional<DType> rawAs = std::nullopt);
Tensor parseNpy(const std::string &bytes, const std::string &name,
                std::optional<DType> rawAs = std::nullopt);
void writeNpy(const std::string &path, const Tensor &tensor);
std::string formatNpy(const Tensor &tensor);

// The numpy descr written for a dtype ("<f4", "|b1", "<V2", ...).
std::string npyDescr(DType dtype);

}  // namespace ds::rt
