// The arena planner: overlap-free offsets, reuse, views, in-place, alignment.
#include "Planner.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

using namespace ds::rt;

namespace {

PlanValue arenaValue(size_t bytes, int first, int last) {
  PlanValue v;
  v.bytes = bytes;
  v.first = first;
  v.last = last;
  return v;
}

// Two buffers whose lifetimes intersect must not share bytes (views and in-place
// reuse excepted: those share a buffer by design).
void expectNoOverlap(const std::vector<PlanValue> &values, const ArenaPlan &plan) {
  // Effective lifetime per buffer owner.
  std::map<int, std::pair<int, int>> life;
  for (size_t i = 0; i < values.size(); ++i) {
    int r = plan.buffer[i];
    auto [it, fresh] = life.emplace(r, std::make_pair(values[i].first, values[i].last));
    if (!fresh) {
      it->second.first = std::min(it->second.first, values[i].first);
      it->second.second = std::max(it->second.second, values[i].last);
    }
  }
  for (const auto &[a, la] : life)
    for (const auto &[b, lb] : life) {
      if (a >= b || plan.offsets[a] < 0 || plan.offsets[b] < 0) continue;
      if (values[a].bytes == 0 || values[b].bytes == 0) continue;
      bool liveTogether = la.first <= lb.second && lb.first <= la.second;
      if (!liveTogether) continue;
      int64_t aEnd = plan.offsets[a] + static_cast<int64_t>(values[a].bytes);
      int64_t bEnd = plan.offsets[b] + static_cast<int64_t>(values[b].bytes);
      EXPECT_TRUE(aEnd <= plan.offsets[b] || bEnd <= plan.offsets[a])
          << "buffers " << a << " [" << plan.offsets[a] << ", " << aEnd << ") and " << b
          << " [" << plan.offsets[b] << ", " << bEnd << ") overlap while both live";
    }
  for (size_t i = 0; i < values.size(); ++i) {
    if (plan.offsets[i] < 0) continue;
    EXPECT_EQ(plan.offsets[i] % 64, 0) << "value " << i;
    EXPECT_LE(plan.offsets[i] + static_cast<int64_t>(values[i].bytes),
              static_cast<int64_t>(plan.arenaBytes));
  }
}

}  // namespace

TEST(Planner, OverlappingLifetimesGetDisjointBytes) {
  std::vector<PlanValue> v = {arenaValue(100, 0, 2), arenaValue(200, 1, 3), arenaValue(50, 2, 2)};
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  // Largest first at 0; then the 100-byte buffer after it; then 50 bytes after both.
  EXPECT_EQ(plan.offsets[1], 0);
  EXPECT_EQ(plan.offsets[0], 256);
  EXPECT_EQ(plan.offsets[2], 384);
  EXPECT_EQ(plan.arenaBytes, 448u);
}

TEST(Planner, DisjointLifetimesReuseBytes) {
  // A chain: each value dies when the next is defined (+1 step gap).
  std::vector<PlanValue> v = {arenaValue(128, 0, 1), arenaValue(128, 1, 2),
                              arenaValue(128, 2, 3), arenaValue(128, 3, 4)};
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.arenaBytes, 256u);
}

TEST(Planner, SmallBufferFillsGap) {
  // 0 and 2 live across step 1..2; 1 dies at 1; 3 (defined at 2) fits where 1 was.
  std::vector<PlanValue> v = {arenaValue(64, 0, 3), arenaValue(64, 0, 1),
                              arenaValue(64, 0, 3), arenaValue(60, 2, 3)};
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.offsets[3], plan.offsets[1]);
  EXPECT_EQ(plan.arenaBytes, 192u);
}

TEST(Planner, AlignmentIs64Bytes) {
  std::vector<PlanValue> v = {arenaValue(1, 0, 1), arenaValue(3, 0, 1), arenaValue(65, 0, 1)};
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.arenaBytes, 128u + 64 + 64);
}

TEST(Planner, ViewsShareBytesAndExtendLiveness) {
  // 0 defined at 0, last read at 1; view 1 of 0 (step 1) read at 4; 2 defined at 2.
  std::vector<PlanValue> v = {arenaValue(256, 0, 1), arenaValue(256, 1, 4), arenaValue(256, 2, 3)};
  v[1].aliasOf = 0;
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.buffer[1], 0);
  EXPECT_EQ(plan.offsets[1], plan.offsets[0]);
  EXPECT_NE(plan.offsets[2], plan.offsets[0]) << "the view keeps value 0 alive until step 4";
  EXPECT_EQ(plan.arenaBytes, 512u);

  // Without the view, value 2 reuses value 0's bytes.
  std::vector<PlanValue> w = {arenaValue(256, 0, 1), arenaValue(256, 2, 3)};
  EXPECT_EQ(planArena(w).arenaBytes, 256u);
}

TEST(Planner, ViewsOfValuesOutsideTheArena) {
  std::vector<PlanValue> v = {arenaValue(256, -1, 3), arenaValue(256, 0, 2)};
  v[0].inArena = false;  // an input
  v[1].aliasOf = 0;
  v[1].inArena = true;
  ArenaPlan plan = planArena(v);
  EXPECT_EQ(plan.offsets[0], -1);
  EXPECT_EQ(plan.offsets[1], -1);
  EXPECT_EQ(plan.arenaBytes, 0u);
}

TEST(Planner, InPlaceWhenSizesMatchAndSourceDies) {
  std::vector<PlanValue> v = {arenaValue(512, 0, 1), arenaValue(512, 1, 2), arenaValue(512, 2, 3)};
  v[1].inplaceOf = 0;
  v[2].inplaceOf = 1;
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.inplaceReused, 2);
  EXPECT_EQ(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[2]);
  EXPECT_EQ(plan.arenaBytes, 512u);
}

TEST(Planner, NoInPlaceWhenSizesDiffer) {
  std::vector<PlanValue> v = {arenaValue(512, 0, 1), arenaValue(256, 1, 2)};
  v[1].inplaceOf = 0;
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.inplaceReused, 0);
  EXPECT_EQ(plan.arenaBytes, 768u);
}

TEST(Planner, NoInPlaceWhenSourceIsReadLater) {
  std::vector<PlanValue> v = {arenaValue(512, 0, 3), arenaValue(512, 1, 2)};
  v[1].inplaceOf = 0;
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.inplaceReused, 0);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

TEST(Planner, NoInPlaceIntoValuesOutsideTheArena) {
  std::vector<PlanValue> v = {arenaValue(512, -1, 1), arenaValue(512, 1, 2)};
  v[0].inArena = false;  // an input must never be overwritten
  v[1].inplaceOf = 0;
  ArenaPlan plan = planArena(v);
  EXPECT_EQ(plan.inplaceReused, 0);
  EXPECT_EQ(plan.offsets[1], 0);
}

TEST(Planner, InPlaceThroughAViewKeepsTheViewsLiveness) {
  // 1 is a view of 0 read at step 3; 2 wants to reuse 0 at step 2: refused.
  std::vector<PlanValue> v = {arenaValue(256, 0, 2), arenaValue(256, 1, 3), arenaValue(256, 2, 4)};
  v[1].aliasOf = 0;
  v[2].inplaceOf = 0;
  ArenaPlan plan = planArena(v);
  expectNoOverlap(v, plan);
  EXPECT_EQ(plan.inplaceReused, 0);
}

TEST(Planner, ZeroByteValues) {
  std::vector<PlanValue> v = {arenaValue(0, 0, 2), arenaValue(64, 0, 2)};
  ArenaPlan plan = planArena(v);
  EXPECT_EQ(plan.offsets[0], 0);
  EXPECT_EQ(plan.offsets[1], 0);
  EXPECT_EQ(plan.arenaBytes, 64u);
}

TEST(Planner, RandomGraphsNeverOverlap) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    int n = 1 + static_cast<int>(rng() % 40);
    std::vector<PlanValue> v;
    for (int i = 0; i < n; ++i) {
      int first = static_cast<int>(rng() % 20);
      v.push_back(arenaValue(rng() % 5000, first, first + static_cast<int>(rng() % 8)));
      if (i > 0 && rng() % 5 == 0) {
        int src = static_cast<int>(rng() % i);
        if (rng() % 2) {
          v[i].aliasOf = src;
          v[i].bytes = v[src].bytes;
        } else {
          v[i].inplaceOf = src;
          if (rng() % 2) v[i].bytes = v[src].bytes;
        }
      }
    }
    ArenaPlan plan = planArena(v);
    expectNoOverlap(v, plan);
    size_t peak = 0;  // the arena never needs more than the sum of all buffers
    for (size_t i = 0; i < v.size(); ++i)
      if (plan.buffer[i] == static_cast<int>(i)) peak += (v[i].bytes + 63) / 64 * 64;
    EXPECT_LE(plan.arenaBytes, peak);
  }
}
