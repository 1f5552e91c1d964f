// Exercises every entry of ds_device.cuh; compiled by nvcc for sm_80/sm_90a and by the
// host compiler against ds_emu.h (emulator_test.cpp).
#include "ds_device.cuh"

DS_DEVICE float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += ds::shfl_xor(v, offset);
  return v;
}

DS_KERNEL(ds_test_everything) {
  DS_SHARED float partial[32];
  float *out = static_cast<float *>(params.ptr[0]);
  const ds::bf16 *a16 = static_cast<const ds::bf16 *>(params.ptr[1]);
  const ds::f16 *h16 = static_cast<const ds::f16 *>(params.ptr[2]);
  int32_t *counters = static_cast<int32_t *>(params.ptr[3]);
  int64_t *wide = static_cast<int64_t *>(params.ptr[4]);
  uint64_t *uwide = static_cast<uint64_t *>(params.ptr[5]);
  unsigned tid = ds::thread_linear();
  float v = ds::to_float(a16[tid]) + ds::to_float(h16[tid]);
  v = ds::expf_(ds::logf_(ds::fabsf_(v) + 1.0f)) + ds::tanhf_(v) * ds::rsqrtf_(2.0f);
  float s = warp_sum(v);
  s += (float)ds::shfl_down(1, 3) + ds::shfl_up(2.0, 1u) + ds::shfl_idx(s, 0);
  uint32_t mask = ds::ballot(v > 0.0f);
  bool any = ds::any(v > 1.0f), all = ds::all(v > -1.0f);
  if (ds::lane_id() == 0) partial[ds::warp_id()] = s + (float)mask + (any ? 1.0f : 0.0f) + (all ? 1.0f : 0.0f);
  ds::sync_block();
  uint32_t afrag[4] = {0, 0, 0, 0}, bfrag[2] = {0, 0};
  float c[4] = {0, 0, 0, 0}, d[4];
  afrag[0] = ds::pack2(ds::float_to_bf16(1.0f), ds::float_to_bf16(2.0f));
  bfrag[0] = ds::pack2(ds::float_to_bf16(1.0f), ds::float_to_bf16(2.0f));
  ds::mma_m16n8k16_bf16(d, afrag, bfrag, c);
  ds::mma_m16n8k16_f16(d, afrag, bfrag, d);
  if (tid == 0) {
    float total = 0.0f;
    for (unsigned w = 0; w < (ds::block_dim_x() + 31) / 32; ++w) total += partial[w];
    ds::atomic_add(out, total + d[0]);
    ds::atomic_max(out + 1, total);
    ds::atomic_min(out + 2, total);
    ds::atomic_cas(out + 3, 0.0f, 1.0f);
  }
  ds::atomic_add(counters, 1);
  ds::atomic_max(counters + 1, (int32_t)tid);
  ds::atomic_min(counters + 2, (int32_t)tid);
  ds::atomic_cas(counters + 3, 0, 1);
  ds::atomic_add(wide, (int64_t)params.dims[0]);
  ds::atomic_max(wide + 1, (int64_t)tid);
  ds::atomic_min(wide + 2, (int64_t)tid);
  ds::atomic_cas(wide + 3, (int64_t)0, (int64_t)params.scalars[0]);
  ds::atomic_add(uwide, (uint64_t)1);
  ds::atomic_max(uwide + 1, (uint64_t)tid);
  ds::atomic_min(uwide + 2, (uint64_t)tid);
  ds::atomic_cas(uwide + 3, (uint64_t)0, (uint64_t)1);
  float *dyn = ds::dynamic_shared<float>();
  dyn[tid] = ds::from_float<float>(v) + ds::to_float(ds::from_float<ds::f16>(v)) +
             ds::to_float(ds::from_float<ds::bf16>(v));
  ds::sync_warp();
  ds::thread_fence();
  ds::yield_point();
  (void)ds::block_idx_x(); (void)ds::grid_dim_x(); (void)ds::thread_idx_y();
}
