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
  if (llvm::sys::fs::real_path(full, realFile)) {
    error = "external data file '" + location.str() + "' was not found in '" +
            modelDir + "'";
    return nullptr;
  }
  if (!llvm::sys::fs::is_regular_file(realFile)) {
    error = "external data location '" + location.str() + "' is not a regular file";
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

static std::string dimsToString(ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(dims))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

/// Number of entries the typed field of `dataType` holds for `numElements`.
static int64_t typedFieldSize(const onnx::TensorProto &t, const char *&fieldName) {
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
  case TP::FLOAT:
    fieldName = "float_data";
    return t.float_data_size();
  case TP::DOUBLE:
    fieldName = "double_data";
    return t.double_data_size();
  case TP::INT64:
    fieldName = "int64_data";
    return t.int64_data_size();
  case TP::UINT32:
  case TP::UINT64:
    fieldName = "uint64_data";
    return t.uint64_data_size();
  default:
    fieldName = "int32_data";
    return t.int32_data_size();
  }
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

/// The tensor's bytes in ONNX raw layout from its typed field (sizes already checked).
static std::vector<char> typedBytes(const onnx::TensorProto &t, const TensorSource &src) {
  using TP = onnx::TensorProto;
  std::vector<char> out;
  out.reserve(src.storageBytes);
  unsigned bits = src.type.getElementType().getIntOrFloatBitWidth();
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
  return out;
}

FailureOr<TensorSource> GraphImporter::locateTensor(const onnx::TensorProto &tensor,
                                                    const Twine &what) {
  TensorSource src;
  Type element = convertOnnxElementType(&ctx, tensor.data_type());
  if (!element) {
    error(what + " has unsupported element type " + onnxTypeName(tensor.data_type()));
    return failure();
  }
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0) {
      error(what + " has a negative dim " + Twine(d) + " in dims " + dimsToString(dims));
      return failure();
    }
    // 2^48 elements is far beyond any weight and keeps byte counts in int64.
    if (d != 0 && count > (int64_t(1) << 48) / d) {
      error(what + " has dims " + dimsToString(dims) +
            " whose product overflows (more than 2^48 elements)");
      return failure();
    }
    count *= d;
  }
  src.type = RankedTensorType::get(dims, element);
  src.numElements = count;
  unsigned bits = element.getIntOrFloatBitWidth();
  src.storageBytes = bits == 4 ? (count + 1) / 2 : count * std::max(bits, 8u) / 8;
  std::string typeDesc = onnxTypeName(tensor.data_type()) + " tensor of shape " +
                         dimsToString(dims) + " needs " +
                         std::to_string(src.storageBytes) + " bytes";

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    bool hasLength = false;
    int64_t length = 0;
    for (const auto &kv : tensor.external_data()) {
      if (kv.key() == "location") {
        src.location = kv.value();
      } else if (kv.key() == "offset" || kv.key() == "length") {
        int64_t v = -1;
        if (!llvm::to_integer(kv.value(), v, 10) || v < 0) {
          error(what + " has an invalid external data " + kv.key() + " '" + kv.value() +
                "' (expected a non-negative integer)");
          return failure();
        }
        if (kv.key() == "offset") {
          src.offset = v;
        } else {
          length = v;
          hasLength = true;
        }
      }
    }
    std::string err;
    const llvm::MemoryBuffer *file = externalData.get(src.location, err);
    if (!file) {
      error(what + ": " + err);
      return failure();
    }
    if (!hasLength)
      length = src.storageBytes;
    if (length != src.storageBytes) {
      error(what + ": the " + typeDesc + " but its external data length is " +
            Twine(length));
      return failure();
    }
    uint64_t size = file->getBufferSize();
    if ((uint64_t)src.offset > size || (uint64_t)length > size - src.offset) {
      error(what + " reads bytes [" + Twine(src.offset) + ", " +
            Twine(src.offset + length) + ") of external data file '" + src.location +
            "', which has only " + Twine(size) + " bytes");
      return failure();
    }
    src.bytes = ArrayRef<char>(file->getBufferStart() + src.offset, length);
    return src;
  }
  if (tensor.has_raw_data()) {
    src.bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
    if ((int64_t)src.bytes.size() != src.storageBytes) {
      error(what + ": the " + typeDesc + " of raw data but has " +
            Twine(src.bytes.size()));
      return failure();
    }
    return src;
  }
  const char *field = "";
  int64_t have = typedFieldSize(tensor, field);
  int64_t want = bits == 4 ? (count + 1) / 2 : count;
  if (have != want) {
    error(what + ": the " + onnxTypeName(tensor.data_type()) + " tensor of shape " +
          dimsToString(dims) + " needs " + Twine(want) + " entries in " + field +
          " but has " + Twine(have) + (bits == 4 ? " (two 4-bit values per entry)" : ""));
    return failure();
  }
  src.typedField = true;
  return src;
}

/// Dense elements from ONNX-layout bytes.
static DenseElementsAttr denseFromBytes(RankedTensorType type, ArrayRef<char> bytes) {
  Type element = type.getElementType();
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits == 1) {
    SmallVector<bool> values;
    values.reserve(bytes.size());
    for (char c : bytes)
      values.push_back(c != 0);
    return DenseElementsAttr::get(type, values);
  }
  if (bits == 4) {
    SmallVector<APInt> values;
    int64_t n = type.getNumElements();
    values.reserve(n);
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
static bool preferDense(const TensorSource &src) {
  Type element = src.type.getElementType();
  if (isa<IntegerType>(element))
    return src.numElements <= 4096;
  return src.numElements <= 16;
}

static std::string blobName(StringRef tensorName) {
  std::string name;
  for (char c : tensorName)
    name += (llvm::isAlnum(c) || c == '_' || c == '.') ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "w_" + name;
  return name;
}

/// The attribute for a located tensor; null for a large external one (referenced).
static ElementsAttr sourceToAttr(const onnx::TensorProto &tensor,
                                 const TensorSource &src, bool forceDense) {
  bool dense = forceDense || preferDense(src);
  if (src.isExternal() && !dense)
    return ElementsAttr();
  std::vector<char> owned;
  ArrayRef<char> bytes = src.bytes;
  if (src.typedField) {
    owned = typedBytes(tensor, src);
    bytes = owned;
  }
  if (dense)
    return cast<ElementsAttr>(denseFromBytes(src.type, bytes));
  // Resource blobs keep the ONNX byte layout; 4-bit and bool tensors are small in
  // practice and MLIR's blob layout differs for them, so they stay dense.
  unsigned bits = src.type.getElementType().getIntOrFloatBitWidth();
  if (bits < 8)
    return cast<ElementsAttr>(denseFromBytes(src.type, bytes));
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      src.type, blobName(tensor.name()),
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64, /*dataIsMutable=*/false)));
}

std::string GraphImporter::describeTensor(const onnx::TensorProto &tensor) const {
  // Tensor attributes are usually unnamed: name the attribute that holds it.
  if (currentNode)
    for (const auto &attr : currentNode->attribute())
      if (&attr.t() == &tensor)
        return "attribute '" + attr.name() + "'";
  return "tensor '" + tensor.name() + "'";
}

FailureOr<ElementsAttr> GraphImporter::tensorToAttr(const onnx::TensorProto &tensor,
                                                    bool forceDense) {
  return tensorToAttr(tensor, forceDense, describeTensor(tensor));
}

FailureOr<ElementsAttr> GraphImporter::tensorToAttr(const onnx::TensorProto &tensor,
                                                    bool forceDense, const Twine &what) {
  auto src = locateTensor(tensor, what);
  if (failed(src))
    return failure();
  return sourceToAttr(tensor, *src, forceDense);
}

FailureOr<Value> GraphImporter::importSource(OpBuilder &b, Location loc,
                                             const onnx::TensorProto &tensor,
                                             const TensorSource &src) {
  if (ElementsAttr attr = sourceToAttr(tensor, src, /*forceDense=*/false))
    return ConstantOp::create(b, loc, attr).getResult();
  // A large external tensor: reference it, never copy it.
  return ExternalWeightOp::create(b, loc, src.type, tensor.name(), src.location,
                                  src.offset, src.storageBytes)
      .getResult();
}

FailureOr<Value> GraphImporter::importTensor(OpBuilder &b, Location loc,
                                             const onnx::TensorProto &tensor) {
  auto src = locateTensor(tensor, describeTensor(tensor));
  if (failed(src))
    return failure();
  return importSource(b, loc, tensor, *src);
}
