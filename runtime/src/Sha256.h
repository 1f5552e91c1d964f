//===- Sha256.h - SHA-256 (FIPS 180-4) for content-addressed caches -------===//
//
// A small, dependency-free SHA-256: the kernel cache keys entries by the hash of
// everything that determines a compiled kernel, and checks each entry's payload with it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ds::rt {

class Sha256 {
public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void update(const void *data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  // Appends a length-prefixed field so that concatenations of fields never collide
  // ("ab"+"c" and "a"+"bc" hash differently).
  void updateField(std::string_view text);
  Digest finish();  // the object must not be updated afterwards

  static Digest hash(std::string_view text);
  static std::string toHex(const Digest &digest);
  static std::string hexOf(std::string_view text) { return toHex(hash(text)); }

private:
  void compressBlock(const uint8_t *block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t bufferSize_ = 0;
  uint64_t totalBytes_ = 0;
  bool finished_ = false;
};

} // namespace ds::rt
