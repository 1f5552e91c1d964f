// A step's generated-kernel entry in steps.json ("kernel": {"name", "source", "launch",
// "scalars"}; docs/cuda.md, "Kernel ABI"), read the same way by every device that runs
// generated kernels (emulate, cuda), and the grid its launch rule gives for concrete
// operand shapes.
#pragma once

#include "ds/runtime/Runtime.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace ds::rt {

// ds::KernelParams of runtime/kernels/ds_device.cuh.
constexpr int kKernelMaxOperands = 16;
constexpr int kKernelMaxDims = 64;
constexpr int kKernelMaxScalars = 8;

// One factor of a "tiles" grid: ceil(product of dims [begin, end) of `operand` / per).
struct TileExtent {
  int operand = 0;
  int begin = 0, end = 0;
  int64_t per = 1;
};

struct LaunchRule {
  unsigned block[3] = {256, 1, 1};
  int64_t sharedBytes = 0;
  enum class Of { Numel, Rows, Tiles, Fixed } of = Of::Numel;
  int64_t perBlock = 1;  // Numel, Rows: ceil(count / perBlock) blocks
  int operand = 0;       // Numel, Rows: inputs then outputs
  int axis = 0;          // Rows: count = product of the operand's dims before axis
  std::vector<TileExtent> tiles;  // Tiles: the product of the factors
  unsigned fixed[3] = {1, 1, 1};  // Fixed ("grid": [x, y, z])
};

struct KernelEntry {
  bool present = false;
  std::string name;
  std::string source;  // relative to the bundle
  LaunchRule launch;
  std::vector<int64_t> scalars;
};

// Parses `entry` (the value of a step's "kernel"); `where` prefixes every message.
// Throws Error on anything malformed.
KernelEntry parseKernelEntry(const nlohmann::json &entry, int numOperands,
                             const std::string &where);

// The grid of `rule` for concrete shapes; `shapeOf(i)` gives operand i's shape or null
// when the operand is absent. Throws Error (prefixed with `label`) when the rule does not
// fit the shapes or needs more than 2^31 - 1 blocks. {0, 1, 1}: nothing to launch.
struct GridSize {
  unsigned x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};
GridSize gridFor(const LaunchRule &rule, const std::function<const Shape *(int)> &shapeOf,
                 const std::string &label);

}  // namespace ds::rt
