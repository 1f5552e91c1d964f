// Arena planning: see Planner.h.
#include "Planner.h"

#include <algorithm>
#include <numeric>

namespace ds::rt {

namespace {
struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
};
}  // namespace

ArenaPlan planArena(const std::vector<PlanValue> &values, size_t alignment) {
  const int n = static_cast<int>(values.size());
  UnionFind groups(values.size());
  std::vector<int> first(n), last(n);
  std::vector<bool> inArena(n);
  for (int i = 0; i < n; ++i) {
    first[i] = values[i].first;
    last[i] = std::max(values[i].first, values[i].last);
    inArena[i] = values[i].inArena;
  }

  // Views join their source's group; the group lives in the arena iff its root does.
  for (int i = 0; i < n; ++i) {
    int src = values[i].aliasOf;
    if (src < 0 || src >= n) continue;
    int a = groups.find(src), b = groups.find(i);
    if (a == b) continue;
    groups.parent[b] = a;
    first[a] = std::min(first[a], first[b]);
    last[a] = std::max(last[a], last[b]);
  }
  // Group storage is decided by the non-view root.
  std::vector<bool> groupInArena(n);
  for (int i = 0; i < n; ++i) groupInArena[i] = inArena[groups.find(i)];

  // In-place reuse, in definition order so chains see up-to-date lifetimes.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return values[a].first < values[b].first; });
  int reused = 0;
  for (int i : order) {
    int src = values[i].inplaceOf;
    if (src < 0 || src >= n || values[i].aliasOf >= 0) continue;
    int g = groups.find(src), self = groups.find(i);
    if (g == self || self != i) continue;
    if (!groupInArena[g] || !inArena[i]) continue;
    if (values[g].bytes != values[i].bytes) continue;
    if (last[g] > values[i].first) continue;  // the source is still read later
    groups.parent[self] = g;
    last[g] = std::max(last[g], last[self]);
    first[g] = std::min(first[g], first[self]);
    ++reused;
  }

  ArenaPlan plan;
  plan.offsets.assign(n, -1);
  plan.buffer.resize(n);
  plan.inplaceReused = reused;
  for (int i = 0; i < n; ++i) plan.buffer[i] = groups.find(i);

  std::vector<int> roots;
  for (int i = 0; i < n; ++i)
    if (groups.find(i) == i && inArena[i]) roots.push_back(i);
  std::stable_sort(roots.begin(), roots.end(), [&](int a, int b) {
    if (values[a].bytes != values[b].bytes) return values[a].bytes > values[b].bytes;
    return first[a] < first[b];
  });

  struct Placed { size_t offset, end; int first, last; };
  std::vector<Placed> placed;
  std::vector<int64_t> rootOffset(n, -1);
  size_t arenaEnd = 0;
  for (int r : roots) {
    size_t bytes = values[r].bytes;
    if (bytes == 0) {
      rootOffset[r] = 0;
      continue;
    }
    std::vector<const Placed *> conflicts;
    for (const auto &p : placed)
      if (p.first <= last[r] && first[r] <= p.last) conflicts.push_back(&p);
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Placed *a, const Placed *b) { return a->offset < b->offset; });
    size_t offset = 0;
    for (const Placed *p : conflicts) {
      if (p->offset >= offset + bytes) break;
      offset = std::max(offset, alignUp(p->end, alignment));
    }
    placed.push_back({offset, offset + bytes, first[r], last[r]});
    rootOffset[r] = static_cast<int64_t>(offset);
    arenaEnd = std::max(arenaEnd, offset + bytes);
  }
  plan.arenaBytes = alignUp(arenaEnd, alignment);
  for (int i = 0; i < n; ++i) {
    int r = plan.buffer[i];
    if (groupInArena[r] && inArena[r]) plan.offsets[i] = rootOffset[r];
  }
  return plan;
}

}  // namespace ds::rt
