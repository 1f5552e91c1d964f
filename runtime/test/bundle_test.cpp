// The bundle reader on hand-written bundles: a valid one, and every defect it must
// report as a clear Error (never a crash).
#include "BundleImpl.h"
#include "TestBundle.h"

#include <gtest/gtest.h>

#include <functional>

using namespace ds::rt;
using nlohmann::json;

namespace {

json goodManifest() {
  return json::parse(R"({
    "format_version": 1, "ds_version": "0.1.0", "producer": "hand",
    "inputs":  [{"name": "x", "dtype": "f32", "shape": ["batch", 4]}],
    "outputs": [{"name": "y", "dtype": "f32", "shape": ["batch", 4]}]
  })");
}

json goodSteps() {
  return json::parse(R"({
    "format_version": 1, "inputs": [0], "outputs": [2],
    "values": [
      {"id": 0, "dtype": "f32", "shape": [-1, 4], "def": "input", "index": 0},
      {"id": 1, "dtype": "f32", "shape": [4], "def": "weight", "weight": "w"},
      {"id": 2, "dtype": "f32", "shape": [-1, 4], "def": "step", "step": 0}
    ],
    "steps": [{"kind": "add", "name": "/Add", "inputs": [0, 1], "outputs": [2], "attrs": {}}],
    "memory_plan": {"static": false}
  })");
}

std::map<std::string, dstest::WeightData> goodWeights() {
  return {{"w", {"f32", {4}, dstest::bytesOf(std::vector<float>{1, 2, 3, 4})}}};
}

std::string loadError(const std::string &path) {
  try {
    Bundle::load(path);
  } catch (const Error &e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// A good bundle with one part replaced by `edit`.
std::string bundleWith(const std::function<void(json &, json &)> &edit) {
  json m = goodManifest(), s = goodSteps();
  edit(m, s);
  return dstest::writeBundle(m, s, goodWeights());
}

}  // namespace

TEST(Bundle, LoadsAndDescribes) {
  auto bundle = Bundle::load(dstest::writeBundle(goodManifest(), goodSteps(), goodWeights()));
  EXPECT_EQ(bundle->formatVersion(), 1);
  EXPECT_EQ(bundle->dsVersion(), "0.1.0");
  ASSERT_EQ(bundle->inputs().size(), 1u);
  EXPECT_EQ(bundle->inputs()[0].name, "x");
  EXPECT_EQ(bundle->inputs()[0].shape, (Shape{-1, 4}));
  EXPECT_EQ(bundle->inputs()[0].dims, (std::vector<std::string>{"batch", ""}));
  const BundleImpl &b = bundle->impl();
  ASSERT_EQ(b.weights.count("w"), 1u);
  const float *w = static_cast<const float *>(b.value(1).weightData);
  EXPECT_EQ(w[3], 4.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(w) % 64, 0u);
  EXPECT_EQ(b.value(0).lastUse, 0);
  EXPECT_TRUE(b.value(2).isOutput);
  std::string d = bundle->describe();
  EXPECT_CONTAINS(d, "x: f32 [batch, 4]");
  EXPECT_CONTAINS(d, "y: f32 [batch, 4]");
  EXPECT_CONTAINS(d, "steps: 1");
  EXPECT_CONTAINS(d, "add: 1");
  EXPECT_CONTAINS(d, "weights: 1 tensors, 16 bytes");
  EXPECT_CONTAINS(d, "memory plan: dynamic");
}

TEST(Bundle, ShapesWithNumericDimsAndNames) {
  std::string path = bundleWith([](json &m, json &) {
    m["inputs"][0]["shape"] = json::array({-1, 4});
    m["inputs"][0]["dims"] = json::array({"n", ""});
  });
  auto bundle = Bundle::load(path);
  EXPECT_EQ(bundle->inputs()[0].dims[0], "n");
}

TEST(Bundle, StaticPlanIsDescribed) {
  std::string path = bundleWith([](json &m, json &s) {
    m["inputs"][0]["shape"] = json::array({2, 4});
    m["outputs"][0]["shape"] = json::array({2, 4});
    s["values"][0]["shape"] = json::array({2, 4});
    s["values"][2]["shape"] = json::array({2, 4});
    s["memory_plan"] = {{"static", true}, {"arena_bytes", 0}, {"alignment", 64}};
  });
  EXPECT_CONTAINS(Bundle::load(path)->describe(), "memory plan: static, arena 0 bytes");
}

TEST(Bundle, MissingBundle) {
  EXPECT_CONTAINS(loadError("/nonexistent/model.dsb"), "/nonexistent/model.dsb: bundle not found");
  std::string dir = dstest::makeTempDir();
  dstest::writeFile(dir + "/file", "x");
  EXPECT_CONTAINS(loadError(dir + "/file"), "not a bundle directory");
}

TEST(Bundle, MissingFiles) {
  for (const char *file : {"manifest.json", "steps.json", "weights.bin"}) {
    std::string path = dstest::writeBundle(goodManifest(), goodSteps(), goodWeights());
    std::remove((path + "/" + file).c_str());
    std::string err = loadError(path);
    EXPECT_CONTAINS(err, std::string(file) + ": file is missing");
  }
}

TEST(Bundle, CorruptJson) {
  for (const char *file : {"manifest.json", "steps.json"}) {
    std::string path = dstest::writeBundle(goodManifest(), goodSteps(), goodWeights());
    dstest::writeFile(path + "/" + file, "{\"format_version\": 1, \"inputs\": [");
    std::string err = loadError(path);
    EXPECT_CONTAINS(err, std::string(file) + ": invalid JSON");
  }
}

TEST(Bundle, WrongFormatVersion) {
  std::string err = loadError(bundleWith([](json &m, json &) { m["format_version"] = 7; }));
  EXPECT_CONTAINS(err, "manifest.json");
  EXPECT_CONTAINS(err, "format_version 7");
  EXPECT_CONTAINS(err, "format_version 1");
  err = loadError(bundleWith([](json &, json &s) { s["format_version"] = 2; }));
  EXPECT_CONTAINS(err, "steps.json");
  EXPECT_CONTAINS(err, "format_version 2");
  err = loadError(bundleWith([](json &m, json &) { m.erase("format_version"); }));
  EXPECT_CONTAINS(err, "missing field 'format_version'");
}

TEST(Bundle, WeightsFileDefects) {
  std::string good = dstest::weightsBin(goodWeights());
  auto withWeights = [&](const std::string &bytes) {
    std::string path = dstest::writeBundle(goodManifest(), goodSteps(), goodWeights());
    dstest::writeFile(path + "/weights.bin", bytes);
    return loadError(path);
  };
  EXPECT_CONTAINS(withWeights(good.substr(0, 5)), "truncated: 5 bytes");
  // Truncated data section.
  EXPECT_CONTAINS(withWeights(good.substr(0, good.size() - 4)), "the file is truncated");
  // Header length beyond the end of the file.
  std::string longHeader = good;
  longHeader[0] = '\xff';
  longHeader[1] = '\xff';
  EXPECT_CONTAINS(withWeights(longHeader), "header length 65535 goes beyond the end of the file");
  // Corrupt header JSON.
  std::string badJson = good;
  badJson[8] = '[';
  badJson[9] = '!';
  EXPECT_CONTAINS(withWeights(badJson), "weights.bin: invalid JSON header");
  // Misaligned data: shift the offset by 4.
  auto header = [](const std::string &json) {
    std::string h = json;
    h.append((64 - (8 + h.size()) % 64) % 64, ' ');
    std::string out(8, '\0');
    out[0] = static_cast<char>(h.size() & 0xff);
    out[1] = static_cast<char>(h.size() >> 8);
    return out + h;
  };
  std::string data(64, '\0');
  EXPECT_CONTAINS(withWeights(header(R"({"w": {"dtype": "f32", "shape": [4], "offset": 4, "length": 16}})") + data),
                  "not 64-byte aligned");
  EXPECT_CONTAINS(withWeights(header(R"({"w": {"dtype": "f32", "shape": [4], "offset": 0, "length": 12}})") + data),
                  "length 12 does not match 4xf32 (16 bytes)");
  EXPECT_CONTAINS(withWeights(header(R"({"w": {"dtype": "q4", "shape": [4], "offset": 0, "length": 16}})") + data),
                  "unknown dtype 'q4'");
  EXPECT_CONTAINS(withWeights(header(R"({"w": {"dtype": "f32", "shape": [3], "offset": 0, "length": 12}})") + data),
                  "value 1 is 4xf32 but weight 'w' is 3xf32");
  EXPECT_CONTAINS(withWeights(header(R"({"v": {"dtype": "f32", "shape": [4], "offset": 0, "length": 16}})") + data),
                  "refers to weight 'w', which weights.bin does not contain");
  // __metadata__ entries are skipped.
  EXPECT_EQ(withWeights(header(R"({"__metadata__": {"k": "v"}, "w": {"dtype": "f32", "shape": [4], "offset": 0, "length": 16}})") + data),
            "(no error)");
}

TEST(Bundle, ValueAndStepDefects) {
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][1]["id"] = 9; })),
                  "value id 9 is out of range [0, 3)");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][1]["id"] = 0; })),
                  "value id 0 is defined twice");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][2]["dtype"] = "float"; })),
                  "unknown dtype 'float'");
  EXPECT_CONTAINS(loadError(bundleWith([](json &m, json &) { m["inputs"][0]["dtype"] = "f33"; })),
                  "manifest.json: inputs[0]: unknown dtype 'f33'");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["steps"][0]["inputs"][1] = 5; })),
                  "value id 5 is out of range");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["outputs"][0] = 3; })),
                  "value id 3 is out of range");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["steps"][0]["inputs"][0] = 2; })),
                  "step 0 (add '/Add') reads value 2, which is defined by the same step");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][2]["step"] = 4; })),
                  "defined by step 4, which does not exist");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][2]["def"] = "magic"; })),
                  "unknown def 'magic'");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["steps"][0]["kind"] = 3; })),
                  "field 'kind' must be a string");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["steps"][0]["attrs"] = json::array(); })),
                  "field 'attrs' must be an object");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][0]["index"] = 3; })),
                  "input index 3 is out of range");
  EXPECT_CONTAINS(loadError(bundleWith([](json &m, json &) { m["outputs"][0]["dtype"] = "f16"; })),
                  "output 'y' is ?x4xf16 in manifest.json but value 2 is ?x4xf32");
  EXPECT_CONTAINS(loadError(bundleWith([](json &m, json &) { m["inputs"][0]["shape"] = json::array({"b", 5}); })),
                  "input 'x' is ?x5xf32 in manifest.json");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"] = 3; })),
                  "field 'values' must be a list");
  EXPECT_CONTAINS(loadError(bundleWith([](json &, json &s) { s["values"][2]["alias_of"] = 0; })),
                  "has alias_of but is not the result of a view step");
  EXPECT_CONTAINS(loadError(bundleWith([](json &m, json &) { m["inputs"] = json::array(); })),
                  "input index 0 is out of range (the manifest has 0 inputs)");
  // A later step's value read by an earlier step.
  std::string err = loadError(bundleWith([](json &, json &s) {
    s["values"].push_back({{"id", 3}, {"dtype", "f32"}, {"shape", {-1, 4}}, {"def", "step"}, {"step", 1}});
    s["steps"][0]["inputs"][1] = 3;
    s["steps"].push_back({{"kind", "neg"}, {"inputs", {0}}, {"outputs", {3}}});
  }));
  EXPECT_CONTAINS(err, "reads value 3, which is defined by the later step 1");
}

TEST(Bundle, UnknownStepKindsAreListedAtSessionCreation) {
  std::string path = bundleWith([](json &, json &s) {
    s["steps"][0]["kind"] = "frobnicate";
    s["values"].push_back({{"id", 3}, {"dtype", "f32"}, {"shape", {-1, 4}}, {"def", "step"}, {"step", 1}});
    s["values"].push_back({{"id", 4}, {"dtype", "f32"}, {"shape", {-1, 4}}, {"def", "step"}, {"step", 2}});
    s["steps"].push_back({{"kind", "twiddle"}, {"inputs", {2}}, {"outputs", {3}}});
    s["steps"].push_back({{"kind", "frobnicate"}, {"inputs", {3, 1}}, {"outputs", {4}}});
    s["outputs"][0] = 4;
  });
  auto bundle = Bundle::load(path);
  try {
    Session session(bundle);
    FAIL() << "expected an Error";
  } catch (const Error &e) {
    std::string msg = e.what();
    EXPECT_CONTAINS(msg, "'frobnicate' (steps 0, 2)");
    EXPECT_CONTAINS(msg, "'twiddle' (step 1)");
  }
}
