// Internal view of a loaded bundle: validated manifest, values, steps and the
// memory-mapped weights. Built once by Bundle::load and never modified afterwards.
#pragma once

#include "Kernel.h"

#include <map>
#include <string>
#include <vector>

namespace ds::rt {

// The bundle format this runtime reads (docs/bundle.md §3).
constexpr int kBundleFormatVersion = 1;
// Alignment of weights in weights.bin and of arena offsets.
constexpr size_t kAlignment = 64;

enum class ValueDef { Input, Weight, Step };

struct ValueDesc {
  int id = 0;
  DType dtype = DType::F32;
  Shape shape;  // -1 for a dynamic dim
  ValueDef def = ValueDef::Step;
  int inputIndex = -1;   // ValueDef::Input
  std::string weight;    // ValueDef::Weight
  const void *weightData = nullptr;
  int step = -1;         // ValueDef::Step: the defining step
  int64_t offset = -1;   // static arena offset from the compiler, -1 when absent
  int aliasOf = -1;      // a view of this value (reshape family)
  int inplaceOf = -1;    // may reuse this value's bytes
  int lastUse = -1;      // index of the last step reading it (-1: never read)
  bool isOutput = false;
};

struct WeightDesc {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  uint64_t offset = 0;  // from the start of the data section
  uint64_t length = 0;
  const void *data = nullptr;
};

// A read-only memory-mapped file; unmapped on destruction.
class MappedFile {
public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  void open(const std::string &path);  // throws Error
  const char *data() const { return static_cast<const char *>(base_); }
  size_t size() const { return size_; }

private:
  void *base_ = nullptr;
  size_t size_ = 0;
};

class BundleImpl {
public:
  std::string path;
  int formatVersion = 0;
  std::string dsVersion;
  std::string producer;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<ValueDesc> values;  // indexed by value id
  std::vector<StepDesc> steps;
  std::vector<int> inputIds, outputIds;
  bool staticPlan = false;
  int64_t staticArenaBytes = -1;
  std::map<std::string, WeightDesc> weights;
  uint64_t weightBytes = 0;
  MappedFile weightsFile;

  const ValueDesc &value(int id) const { return values[static_cast<size_t>(id)]; }
};

// The reshape family: the output shares the bytes of input 0; no kernel runs.
bool isViewKind(const std::string &kind);

}  // namespace ds::rt
