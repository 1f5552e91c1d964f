//===- Tensors.cpp - ONNX types, TensorProto conversion, external data ----===//

#include "GraphImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

Type onnx_import::convertOnnxElementType(MLIRContext *ctx, int32_t t) {
  using TP = onnx::TensorProto;
  auto si = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Signless); };
  auto ui = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Unsigned); };
  switch (t) {
  case TP::FLOAT: return Float32Type::get(ctx);
  case TP::DOUBLE: return Float64Type::get(ctx);
  case TP::FLOAT16: return Float16Type::get(ctx);
  case TP::BFLOAT16: return BFloat16Type::get(ctx);
  case TP::FLOAT8E4M3FN: return Float8E4M3FNType::get(ctx);
  case TP::FLOAT8E5M2: return Float8E5M2Type::get(ctx);
  case TP::INT64: return si(64);
  case TP::INT32: return si(32);
  case TP::INT16: return si(16);
  case TP::INT8: return si(8);
  case TP::INT4: return si(4);
  case TP::UINT64: return ui(64);
  case TP::UINT32: return ui(32);
  case TP::UINT16: return ui(16);
  case TP::UINT8: return ui(8);
  case TP::UINT4: return ui(4);
  case TP::BOOL: return si(1);
  default: return Type();
  }
}

std::string onnx_import::onnxTypeName(int32_t t) {
  if (onnx::TensorProto::DataType_IsValid(t))
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t));
  return "data type " + std::to_string(t);
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

const llvm::MemoryBuffer *ExternalDataFiles::get(StringRef location,
                                                 std::string &error) {
  auto it = files.find(location);
  if (it != files.end())
    return it->second.get();
  if (location.empty()) {
    error = "external data has an empty location";
    return nullptr;
  }
  if (llvm::sys::path::is_absolute(location)) {
    error = "external data location '" + location.str() +
            "' is an absolute path; only paths relative to the model's directory "
            "are allowed";
    return nullptr;
  }
  for (auto it = llvm::sys::path::begin(location), e = llvm::sys::path::end(location);
       it != e; ++it) {
    if (*it == "..") {
      error = "external data location '" + location.str() +
              "' contains '..'; it must stay inside the model's directory";
      return nullptr;
    }
  }
  SmallString<256> full(modelDir);
  llvm::sys::path::append(full, location);
  SmallString<256> realFile, realDir;
  if (llvm::sys::fs::real_path(full, realFile) ||
      !llvm::sys::fs::is_regular_file(realFile)) {
    error = "external data file '" + location.str() + "' was not found in '" +
            modelDir + "'";
    return nullptr;
  }
  if (llvm::sys::fs::real_path(modelDir, realDir)) {
    error = "cannot resolve the model directory '" + modelDir + "'";
    return nullptr;
  }
  StringRef dirPrefix = realDir;
  if (!StringRef(realFile).starts_with(dirPrefix) ||
      StringRef(realFile).drop_front(dirPrefix.size()).front() != '/') {
    error = "external data location '" + location.str() + "' resolves to '" +
            realFile.str().str() +
            "', outside the model's directory (symbolic link?)";
    return nullptr;
  }
  // Mapped, not read: a 2 GB weight file costs page-table entries, not memory.
  auto buffer = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false,
                                            /*IsVolatile=*/false);
  if (!buffer) {
    error = "cannot map external data file '" + location.str() +
            "': " + buffer.getError().message();
    return nullptr;
  }
  auto *raw = buffer->get();
  files[location] = std::move(*buffer);
  return raw;
}

//===----------------------------------------------------------------------===//
// TensorProto conversion
//===----------------------------------------------------------------------===//

namespace {
struct TensorInfo {
  RankedTensorType type;
  int64_t numElements = 0;
  int64_t storageBytes = 0; // ONNX layout: bool one byte, 4-bit two per byte
};
} // namespace

static FailureOr<TensorInfo> describeTensor(MLIRContext *ctx,
                                            const onnx::TensorProto &tensor,
                                            std::string &error) {
  TensorInfo info;
  Type element = convertOnnxElementType(ctx, tensor.data_type());
  if (!element) {
    error = "tensor '" + tensor.name() + "' has unsupported element type " +
            onnxTypeName(tensor.data_type());
    return failure();
  }
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0) {
      error = "tensor '" + tensor.name() + "' has a negative dim " + std::to_string(d);
      return failure();
    }
    if (d != 0 && count > (int64_t(1) << 48) / d) {
      error = "tensor '" + tensor.name() + "' has dims whose product overflows";
      return failure();
    }
    count *= d;
    shape.push_back(d);
  }
  info.type = RankedTensorType::get(shape, element);
  info.numElements = count;
  unsigned bits = element.getIntOrFloatBitWidth();
  info.storageBytes = bits == 4 ? (count + 1) / 2 : count * std::max(bits, 8u) / 8;
  return info;
}

/// Copies a repeated typed field into little-endian storage of `bytesPer` bytes each.
template <typename Field>
static void appendField(const Field &field, unsigned bytesPer, std::vector<char> &out) {
  for (auto v : field) {
    uint64_t bits;
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, float>) {
      uint32_t u;
      std::memcpy(&u, &v, 4);
      bits = u;
    } else if constexpr (std::is_same_v<std::decay_t<decltype(v)>, double>) {
      std::memcpy(&bits, &v, 8);
    } else {
      bits = static_cast<uint64_t>(v);
    }
    for (unsigned i = 0; i < bytesPer; ++i)
      out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
}

/// The tensor's bytes in ONNX raw layout, from raw_data or the typed field.
static FailureOr<std::vector<char>> typedBytes(const onnx::TensorProto &t,
                                               const TensorInfo &info,
                                               std::string &error) {
  using TP = onnx::TensorProto;
  std::vector<char> out;
  out.reserve(info.storageBytes);
  unsigned bits = info.type.getElementType().getIntOrFloatBitWidth();
  switch (t.data_type()) {
  case TP::FLOAT:
    appendField(t.float_data(), 4, out);
    break;
  case TP::DOUBLE:
    appendField(t.double_data(), 8, out);
    break;
  case TP::INT64:
    appendField(t.int64_data(), 8, out);
    break;
  case TP::UINT32:
  case TP::UINT64:
    appendField(t.uint64_data(), bits / 8, out);
    break;
  case TP::INT4:
  case TP::UINT4:
    // int32_data holds one packed byte (two 4-bit values) per entry.
    appendField(t.int32_data(), 1, out);
    break;
  default: // int32_data family: (u)int8/16/32, bool, float16, bfloat16, float8
    appendField(t.int32_data(), std::max(bits, 8u) / 8, out);
    break;
  }
  if ((int64_t)out.size() != info.storageBytes) {
    error = "tensor '" + t.name() + "' of type " + onnxTypeName(t.data_type()) +
            " needs " + std::to_string(info.numElements) + " elements but holds " +
            "data for a different count";
    return failure();
  }
  return out;
}

/// Dense elements from ONNX-layout bytes.
static DenseElementsAttr denseFromBytes(RankedTensorType type, ArrayRef<char> bytes) {
  Type element = type.getElementType();
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits == 1) {
    SmallVector<bool> values;
    for (char c : bytes)
      values.push_back(c != 0);
    return DenseElementsAttr::get(type, values);
  }
  if (bits == 4) {
    SmallVector<APInt> values;
    int64_t n = type.getNumElements();
    bool isSigned = !element.isUnsignedInteger();
    for (int64_t i = 0; i < n; ++i) {
      uint8_t byte = static_cast<uint8_t>(bytes[i / 2]);
      uint8_t nibble = (i % 2) ? (byte >> 4) : (byte & 0xf);
      values.push_back(APInt(4, nibble, isSigned));
    }
    return DenseElementsAttr::get(type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

/// Small tensors become dense elements so that folders see them; larger ones become
/// resource blobs. Integer tensors stay dense longer: they are shapes and indices.
static bool preferDense(const TensorInfo &info) {
  Type element = info.type.getElementType();
  if (isa<IntegerType>(element))
    return info.numElements <= 4096;
  return info.numElements <= 16;
}

static std::string blobName(StringRef tensorName) {
  std::string name;
  for (char c : tensorName)
    name += (llvm::isAlnum(c) || c == '_' || c == '.') ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "w_" + name;
  return name;
}

FailureOr<ElementsAttr> GraphImporter::tensorToAttr(const onnx::TensorProto &tensor,
                                                    bool forceDense) {
  std::string err;
  auto info = describeTensor(&ctx, tensor, err);
  if (failed(info)) {
    error(err);
    return failure();
  }
  std::vector<char> owned;
  ArrayRef<char> bytes;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : tensor.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset" || kv.key() == "length") {
        int64_t v = -1;
        if (!llvm::to_integer(kv.value(), v) || v < 0) {
          error("tensor '" + tensor.name() + "' has an invalid external data " +
                kv.key() + " '" + kv.value() + "'");
          return failure();
        }
        (kv.key() == "offset" ? offset : length) = v;
      }
    }
    const llvm::MemoryBuffer *file = externalData.get(location, err);
    if (!file) {
      error("tensor '" + tensor.name() + "': " + err);
      return failure();
    }
    if (length < 0)
      length = info->storageBytes;
    if (length != info->storageBytes) {
      error("tensor '" + tensor.name() + "' of type " + onnxTypeName(tensor.data_type()) +
            " and " + std::to_string(info->numElements) + " elements needs " +
            std::to_string(info->storageBytes) + " bytes but its external data length is " +
            std::to_string(length));
      return failure();
    }
    if ((uint64_t)offset + (uint64_t)length > file->getBufferSize()) {
      error("tensor '" + tensor.name() + "' reads bytes [" + std::to_string(offset) +
            ", " + std::to_string(offset + length) + ") of external data file '" +
            location + "', which has only " + std::to_string(file->getBufferSize()) +
            " bytes");
      return failure();
    }
    bytes = ArrayRef<char>(file->getBufferStart() + offset, length);
    if (!forceDense && !preferDense(*info))
      return ElementsAttr(); // the caller emits an external reference instead
  } else if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
    if ((int64_t)bytes.size() != info->storageBytes) {
      error("tensor '" + tensor.name() + "' of type " + onnxTypeName(tensor.data_type()) +
            " and shape " + shapeToString(info->type.getShape()) + " needs " +
            std::to_string(info->storageBytes) + " bytes of raw data but has " +
            std::to_string(bytes.size()));
      return failure();
    }
  } else {
    auto converted = typedBytes(tensor, *info, err);
    if (failed(converted)) {
      error(err);
      return failure();
    }
    owned = std::move(*converted);
    bytes = owned;
  }
  if (forceDense || preferDense(*info))
    return cast<ElementsAttr>(denseFromBytes(info->type, bytes));
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      info->type, blobName(tensor.name()),
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64, /*dataIsMutable=*/false)));
}

FailureOr<Value> GraphImporter::importTensor(OpBuilder &b, Location loc,
                                             const onnx::TensorProto &tensor) {
  auto attr = tensorToAttr(tensor, /*forceDense=*/false);
  if (failed(attr))
    return failure();
  if (*attr)
    return ConstantOp::create(b, loc, *attr).getResult();
  // A large external tensor: reference it, never copy it.
  std::string err;
  auto info = describeTensor(&ctx, tensor, err);
  std::string location;
  int64_t offset = 0;
  for (const auto &kv : tensor.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      llvm::to_integer(kv.value(), offset);
  }
  return ExternalWeightOp::create(b, loc, info->type, tensor.name(), location, offset,
                                  info->storageBytes)
      .getResult();
}
