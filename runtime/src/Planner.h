// The arena memory planner (docs/bundle.md §5): liveness, views, in-place reuse and
// greedy placement. Pure: sizes and step indices in, offsets out; the session builds the
// inputs from a bundle and concrete shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ds::rt {

struct PlanValue {
  size_t bytes = 0;
  int first = 0;        // defining step
  int last = 0;         // last step reading it (graph outputs: past the last step)
  int aliasOf = -1;     // index of the value whose bytes it shares (a view)
  int inplaceOf = -1;   // index of a value whose bytes it may reuse
  bool inArena = true;  // false for values that live elsewhere (inputs, weights, outputs,
                        // plan-time constants); views of them live there too
};

struct ArenaPlan {
  std::vector<int64_t> offsets;  // per value: arena offset, -1 when not in the arena
  std::vector<int> buffer;       // per value: the value owning its bytes (itself if none)
  size_t arenaBytes = 0;
  int inplaceReused = 0;         // in-place requests honoured
};

inline size_t alignUp(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// Views share their source's bytes and extend its liveness; inplace_of shares the
// source's bytes when the byte sizes are equal and the source dies where the value is
// defined. Buffers are then placed largest first, each at the lowest aligned offset
// that does not overlap a placed buffer whose lifetime intersects its own.
ArenaPlan planArena(const std::vector<PlanValue> &values, size_t alignment = 64);

}  // namespace ds::rt
