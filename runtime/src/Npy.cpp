// .npy reading and writing; see Npy.h for the dtype mapping.
#include "Npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ds::rt {

namespace {

struct DescrEntry {
  const char *code;  // descr without the byte-order character
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64}, {"i1", DType::I8},
    {"i2", DType::I16}, {"i4", DType::I32}, {"i8", DType::I64}, {"u1", DType::U8},
    {"u2", DType::U16}, {"u4", DType::U32}, {"u8", DType::U64}, {"b1", DType::I1},
};

[[noreturn]] void fail(const std::string &name, const std::string &message) {
  throw Error(name + ": " + message);
}

void skipSpaces(const std::string &s, size_t &i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

// The header is a Python dict literal with 'descr', 'fortran_order' and 'shape'.
struct Header {
  std::string descr;
  bool fortran = false;
  Shape shape;
};

Header parseHeader(const std::string &h, const std::string &name) {
  Header out;
  bool haveDescr = false, haveOrder = false, haveShape = false;
  size_t i = 0;
  auto bad = [&](const std::string &why) -> void {
    fail(name, "malformed .npy header (" + why + "): " + h);
  };
  skipSpaces(h, i);
  if (i >= h.size() || h[i] != '{') bad("expected '{'");
  ++i;
  for (;;) {
    skipSpaces(h, i);
    if (i < h.size() && h[i] == '}') break;
    if (i >= h.size() || (h[i] != '\'' && h[i] != '"')) bad("expected a quoted key");
    char q = h[i++];
    size_t end = h.find(q, i);
    if (end == std::string::npos) bad("unterminated key");
    std::string key = h.substr(i, end - i);
    i = end + 1;
    skipSpaces(h, i);
    if (i >= h.size() || h[i] != ':') bad("expected ':'");
    ++i;
    skipSpaces(h, i);
    if (key == "descr") {
      if (i >= h.size() || (h[i] != '\'' && h[i] != '"'))
        bad("structured dtypes are not supported");
      char dq = h[i++];
      size_t e = h.find(dq, i);
      if (e == std::string::npos) bad("unterminated descr");
      out.descr = h.substr(i, e - i);
      i = e + 1;
      haveDescr = true;
    } else if (key == "fortran_order") {
      if (h.compare(i, 4, "True") == 0) { out.fortran = true; i += 4; }
      else if (h.compare(i, 5, "False") == 0) { out.fortran = false; i += 5; }
      else bad("fortran_order must be True or False");
      haveOrder = true;
    } else if (key == "shape") {
      if (i >= h.size() || h[i] != '(') bad("shape must be a tuple");
      ++i;
      for (;;) {
        skipSpaces(h, i);
        if (i < h.size() && h[i] == ')') { ++i; break; }
        size_t start = i;
        while (i < h.size() && h[i] >= '0' && h[i] <= '9') ++i;
        if (i == start) bad("shape entries must be non-negative integers");
        out.shape.push_back(std::stoll(h.substr(start, i - start)));
        // Python 2 wrote long dims as 3L.
        if (i < h.size() && h[i] == 'L') ++i;
        skipSpaces(h, i);
        if (i < h.size() && h[i] == ',') ++i;
      }
      haveShape = true;
    } else {
      bad("unknown key '" + key + "'");
    }
    skipSpaces(h, i);
    if (i < h.size() && h[i] == ',') ++i;
  }
  if (!haveDescr || !haveOrder || !haveShape) bad("needs descr, fortran_order and shape");
  return out;
}

DType descrToDType(const std::string &descr, const std::string &name,
                   std::optional<DType> rawAs) {
  if (descr.size() < 2) fail(name, "unsupported dtype '" + descr + "'");
  char order = descr[0];
  std::string code = descr.substr(1);
  if (order == '>' && !(code.size() == 2 && code[1] == '1'))
    fail(name, "big-endian data ('" + descr + "') is not supported; save it little-endian "
               "(arr.astype(arr.dtype.newbyteorder('<')))");
  if (order != '<' && order != '|' && order != '=' && order != '>')
    fail(name, "unsupported dtype '" + descr + "'");
  // Raw ml_dtypes types.
  if (code == "V2" || code == "V1" || code == "f1") {
    size_t size = code == "V2" ? 2 : 1;
    if (rawAs && dtypeSize(*rawAs) == size) return *rawAs;
    return code == "V2" ? DType::BF16 : code == "V1" ? DType::F8E4M3FN : DType::F8E5M2;
  }
  for (const auto &e : kDescrs)
    if (code == e.code) return e.dtype;
  fail(name, "unsupported dtype '" + descr +
                 "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, V2 as bf16, V1 as f8)");
}

}  // namespace

std::string npyDescr(DType dtype) {
  switch (dtype) {
  case DType::BF16: return "<V2";
  case DType::F8E4M3FN: case DType::F8E5M2: return "|V1";
  default: break;
  }
  for (const auto &e : kDescrs)
    if (e.dtype == dtype) return std::string(dtypeSize(dtype) == 1 ? "|" : "<") + e.code;
  throw Error(std::string("no .npy dtype for ") + dtypeName(dtype));
}

Tensor parseNpy(const std::string &bytes, const std::string &name, std::optional<DType> rawAs) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    fail(name, "not a .npy file (missing the \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  auto byteAt = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  if (major == 1) {
    headerLen = byteAt(8) | byteAt(9) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(name, "truncated .npy header");
    headerLen = byteAt(8) | byteAt(9) << 8 | byteAt(10) << 16 | byteAt(11) << 24;
    headerStart = 12;
  } else {
    fail(name, ".npy format version " + std::to_string(major) + " is not supported (1, 2, 3)");
  }
  if (headerStart + headerLen > bytes.size())
    fail(name, "truncated .npy header (" + std::to_string(headerLen) + " bytes declared)");
  Header h = parseHeader(bytes.substr(headerStart, headerLen), name);
  if (h.fortran && h.shape.size() > 1)
    fail(name, "Fortran-order arrays are not supported; save a C-order array "
               "(np.ascontiguousarray)");
  DType dtype = descrToDType(h.descr, name, rawAs);
  Tensor t = Tensor::empty(dtype, h.shape);
  size_t dataStart = headerStart + headerLen;
  if (bytes.size() - dataStart < t.bytes())
    fail(name, "truncated .npy data: " + shapeToString(h.shape) + "x" + dtypeName(dtype) +
                   " needs " + std::to_string(t.bytes()) + " bytes, the file has " +
                   std::to_string(bytes.size() - dataStart));
  if (t.bytes()) std::memcpy(t.data(), bytes.data() + dataStart, t.bytes());
  if (dtype == DType::I1) {
    auto *p = t.as<uint8_t>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
  }
  return t;
}

Tensor readNpy(const std::string &path, std::optional<DType> rawAs) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseNpy(buffer.str(), path, rawAs);
}

std::string formatNpy(const Tensor &t) {
  std::string dict = "{'descr': '" + npyDescr(t.dtype()) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape().size(); ++i)
    dict += std::to_string(t.shape()[i]) + (t.shape().size() == 1 || i + 1 < t.shape().size() ? ", " : "");
  if (t.shape().size() == 1) dict.resize(dict.size() - 1);  // "(3,)"
  dict += "), }";
  // Pad so the data starts at a multiple of 64 bytes; the header ends with '\n'.
  size_t total = 10 + dict.size() + 1;
  bool v2 = false;
  size_t padded = (total + 63) / 64 * 64;
  if (padded - 10 > 0xffff) {
    v2 = true;
    total = 12 + dict.size() + 1;
    padded = (total + 63) / 64 * 64;
  }
  dict.append(padded - total, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  size_t len = dict.size();
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>((len >> 8) & 0xff);
  if (v2) {
    out += static_cast<char>((len >> 16) & 0xff);
    out += static_cast<char>((len >> 24) & 0xff);
  }
  out += dict;
  out.append(static_cast<const char *>(t.data()), t.bytes());
  return out;
}

void writeNpy(const std::string &path, const Tensor &t) {
  std::string bytes = formatNpy(t);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, std::string("cannot write: ") + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(path, std::string("write failed: ") + std::strerror(errno));
}

}  // namespace ds::rt
