// .npy reading and writing: round trips for every dtype, numpy-written headers, errors.
#include "Kernel.h"
#include "Npy.h"
#include "TestBundle.h"

#include <gtest/gtest.h>

#include <functional>

using namespace ds::rt;

namespace {

// A .npy file as numpy writes it (version 1.0, header padded to 64 bytes).
std::string numpyFile(const std::string &dict, const std::string &data, int version = 1) {
  std::string header = dict;
  size_t prefix = version == 1 ? 10 : 12;
  size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(version);
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  if (version != 1) out += std::string(2, '\0');
  return out + header + data;
}

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Npy, RoundTripEveryDType) {
  const DType all[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::F8E4M3FN,
                       DType::F8E5M2, DType::I1, DType::I8, DType::I16, DType::I32,
                       DType::I64, DType::U8, DType::U16, DType::U32, DType::U64};
  std::string dir = dstest::makeTempDir();
  for (DType dtype : all) {
    for (const Shape &shape : {Shape{}, Shape{5}, Shape{2, 3}, Shape{0, 4}, Shape{2, 1, 3}}) {
      Tensor t = Tensor::empty(dtype, shape);
      auto *bytes = static_cast<unsigned char *>(t.data());
      for (size_t i = 0; i < t.bytes(); ++i)
        bytes[i] = dtype == DType::I1 ? (i % 3 == 0) : static_cast<unsigned char>(i * 37 + 11);
      std::string path = dir + "/t.npy";
      writeNpy(path, t);
      Tensor back = readNpy(path, dtype);
      EXPECT_EQ(back.dtype(), dtype) << dtypeName(dtype);
      EXPECT_EQ(back.shape(), shape) << dtypeName(dtype);
      ASSERT_EQ(back.bytes(), t.bytes());
      EXPECT_EQ(std::memcmp(back.data(), t.data(), t.bytes()), 0)
          << dtypeName(dtype) << " " << shapeToString(shape);
      // The data section starts 64-byte aligned, as numpy does it.
      std::string file = dstest::readFile(path);
      EXPECT_EQ((file.size() - t.bytes()) % 64, 0u);
    }
  }
}

TEST(Npy, DescrNames) {
  EXPECT_EQ(npyDescr(DType::F32), "<f4");
  EXPECT_EQ(npyDescr(DType::I1), "|b1");
  EXPECT_EQ(npyDescr(DType::U8), "|u1");
  EXPECT_EQ(npyDescr(DType::I64), "<i8");
  EXPECT_EQ(npyDescr(DType::BF16), "<V2");
  EXPECT_EQ(npyDescr(DType::F8E5M2), "|V1");
}

TEST(Npy, ReadsNumpyHeaders) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  Tensor t = parseNpy(numpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                dstest::bytesOf(values)), "a.npy");
  EXPECT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(dstest::f32Values(t), values);

  Tensor s = parseNpy(numpyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                                dstest::bytesOf(std::vector<int64_t>{-7})), "s.npy");
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.as<int64_t>()[0], -7);

  Tensor one = parseNpy(numpyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                  "abc"), "u.npy");
  EXPECT_EQ(one.dtype(), DType::U8);
  EXPECT_EQ(one.shape(), Shape{3});

  // Version 2.0 and 3.0 headers have a 4-byte length.
  for (int version : {2, 3}) {
    Tensor v = parseNpy(numpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                                  dstest::bytesOf(std::vector<float>{9}), version), "v.npy");
    EXPECT_EQ(v.as<float>()[0], 9.0f);
  }
  // Fortran order is the same as C order for 1-d arrays.
  Tensor f1 = parseNpy(numpyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
                                 dstest::bytesOf(std::vector<float>{1, 2})), "f.npy");
  EXPECT_EQ(dstest::f32Values(f1), (std::vector<float>{1, 2}));
}

TEST(Npy, BoolsAreNormalized) {
  Tensor b = parseNpy(numpyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                                std::string("\0\x01\x05", 3)), "b.npy");
  EXPECT_EQ(b.dtype(), DType::I1);
  EXPECT_EQ(b.as<uint8_t>()[0], 0);
  EXPECT_EQ(b.as<uint8_t>()[1], 1);
  EXPECT_EQ(b.as<uint8_t>()[2], 1);
}

TEST(Npy, MlDtypesRawTypes) {
  // ml_dtypes.bfloat16 saved by numpy: '<V2'.
  std::vector<uint16_t> bits = {floatToBf16(1.5f), floatToBf16(-2.0f)};
  std::string file = numpyFile("{'descr': '<V2', 'fortran_order': False, 'shape': (2,), }",
                               dstest::bytesOf(bits));
  Tensor t = parseNpy(file, "bf.npy");
  EXPECT_EQ(t.dtype(), DType::BF16);
  EXPECT_EQ(bf16ToFloat(t.as<uint16_t>()[0]), 1.5f);
  EXPECT_EQ(bf16ToFloat(t.as<uint16_t>()[1]), -2.0f);
  // The consumer may say the raw bytes are f16.
  EXPECT_EQ(parseNpy(file, "bf.npy", DType::F16).dtype(), DType::F16);
  // A 4-byte hint does not apply to 2-byte raw data.
  EXPECT_EQ(parseNpy(file, "bf.npy", DType::F32).dtype(), DType::BF16);
  // float8: '<V1' (e4m3fn) and '<f1' (e5m2).
  EXPECT_EQ(parseNpy(numpyFile("{'descr': '<V1', 'fortran_order': False, 'shape': (1,), }", "x"),
                     "f8.npy").dtype(), DType::F8E4M3FN);
  EXPECT_EQ(parseNpy(numpyFile("{'descr': '<f1', 'fortran_order': False, 'shape': (1,), }", "x"),
                     "f8.npy").dtype(), DType::F8E5M2);
  EXPECT_EQ(parseNpy(numpyFile("{'descr': '<V1', 'fortran_order': False, 'shape': (1,), }", "x"),
                     "f8.npy", DType::F8E5M2).dtype(), DType::F8E5M2);
}

TEST(Npy, Errors) {
  std::string data = dstest::bytesOf(std::vector<float>{1, 2, 3, 4});
  EXPECT_NE(errorOf([&] {
              parseNpy(numpyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data), "f.npy");
            }).find("f.npy: Fortran-order"), std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseNpy(numpyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", data), "be.npy");
            }).find("be.npy: big-endian"), std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseNpy(numpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", data), "t.npy");
            }).find("truncated .npy data"), std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseNpy(numpyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", data), "c.npy");
            }).find("unsupported dtype '<c8'"), std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseNpy(numpyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data), "s.npy");
            }).find("structured"), std::string::npos);
  EXPECT_NE(errorOf([&] { parseNpy("hello world", "x.npy"); }).find("not a .npy file"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { parseNpy(std::string("\x93NUMPY\x01\x00\xff\x00{", 11), "h.npy"); })
                .find("truncated .npy header"), std::string::npos);
  EXPECT_NE(errorOf([&] { readNpy("/nonexistent/dir/x.npy"); }).find("/nonexistent/dir/x.npy: cannot open"),
            std::string::npos);
  // Big-endian single bytes are fine (byte order does not apply).
  EXPECT_EQ(parseNpy(numpyFile("{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }", "x"),
                     "b.npy").dtype(), DType::I8);
}
