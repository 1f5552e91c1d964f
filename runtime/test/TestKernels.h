// CUDA sources shared by the NVRTC and kernel-cache tests.
#pragma once

#include <string>

namespace ds::rt::test {

// Forty-eight live values: compiled with -maxrregcount=24, ptxas must spill.
inline std::string spillKernelSource(const std::string &name) {
  return "extern \"C\" __global__ void " + name + R"((float *out, const float *in, int n) {
  float v[48];
  #pragma unroll
  for (int i = 0; i < 48; ++i) v[i] = in[threadIdx.x + i * n];
  float s = 0;
  #pragma unroll
  for (int r = 0; r < 4; ++r) {
    #pragma unroll
    for (int i = 0; i < 48; ++i) s = s * v[(i + r) % 48] + v[(i * 5 + r) % 48];
  }
  out[threadIdx.x] = s;
}
)";
}

}  // namespace ds::rt::test
