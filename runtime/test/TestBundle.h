// Test helper: writes hand-made bundles (manifest.json, steps.json, weights.bin) into a
// fresh temporary directory, so tests can also corrupt any part of them.
#pragma once

#include "ds/runtime/Runtime.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace dstest {

// Temporary directories made by the tests, removed when the test binary exits.
struct TempDirs {
  std::vector<std::string> dirs;
  ~TempDirs() {
    for (const auto &d : dirs) {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  }
};
inline TempDirs &tempDirs() {
  static TempDirs dirs;
  return dirs;
}

inline std::string makeTempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/ds-rt-test-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  tempDirs().dirs.push_back(buf.data());
  return buf.data();
}

inline void writeFile(const std::string &path, const std::string &content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class T> std::string bytesOf(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T));
}

struct WeightData {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

// weights.bin: 8-byte little-endian header length, JSON header (padded with spaces so
// the data section starts 64-byte aligned), then every tensor 64-byte aligned.
inline std::string weightsBin(const std::map<std::string, WeightData> &weights) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto &[name, w] : weights) {
    data.append((64 - data.size() % 64) % 64, '\0');
    header[name] = {{"dtype", w.dtype}, {"shape", w.shape}, {"offset", data.size()},
                    {"length", w.bytes.size()}};
    data += w.bytes;
  }
  std::string h = header.dump();
  h.append((64 - (8 + h.size()) % 64) % 64, ' ');
  std::string out(8, '\0');
  uint64_t len = h.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  return out + h + data;
}

// Writes a bundle directory and returns its path.
inline std::string writeBundle(const nlohmann::json &manifest, const nlohmann::json &steps,
                               const std::map<std::string, WeightData> &weights = {}) {
  std::string dir = makeTempDir() + "/model.dsb";
  if (mkdir(dir.c_str(), 0777) != 0) throw std::runtime_error("mkdir failed");
  writeFile(dir + "/manifest.json", manifest.dump(2));
  writeFile(dir + "/steps.json", steps.dump(2));
  writeFile(dir + "/weights.bin", weightsBin(weights));
  return dir;
}

inline ds::rt::Tensor f32Tensor(const ds::rt::Shape &shape, const std::vector<float> &values) {
  ds::rt::Tensor t = ds::rt::Tensor::empty(ds::rt::DType::F32, shape);
  std::memcpy(t.data(), values.data(), values.size() * sizeof(float));
  return t;
}

inline std::vector<float> f32Values(const ds::rt::Tensor &t) {
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

}  // namespace dstest
