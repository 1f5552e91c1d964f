//===- RuntimeModule.cpp - dsc._runtime, the Python binding of the ds runtime --===//
//
// A thin layer over runtime/include/ds/runtime/Runtime.h. Tensors cross the boundary as
// flat byte arrays plus a dtype name and a shape; python/dsc/session.py turns those into
// typed numpy arrays (views, no copies). Bytes keep bf16 and float8, which neither numpy
// nor DLPack name portably, on the same path as every other dtype.
//
//===----------------------------------------------------------------------------===//

#include "ds/runtime/Runtime.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace nb = nanobind;
using namespace nb::literals;
using ds::rt::DType;
using ds::rt::Shape;
using ds::rt::Tensor;
using ds::rt::TensorInfo;

namespace {

// Read-only, C-contiguous host bytes: what session.py hands over for each input.
using InputBytes = nb::ndarray<const uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using OutputBytes = nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>>;
// (name, dtype name, shape with -1 for dynamic dims, symbolic dim names)
using InfoTuple = std::tuple<std::string, std::string, std::vector<int64_t>,
                             std::vector<std::string>>;

std::vector<InfoTuple> describeTensors(const std::vector<TensorInfo> &infos) {
  std::vector<InfoTuple> result;
  result.reserve(infos.size());
  for (const TensorInfo &info : infos)
    result.emplace_back(info.name, ds::rt::dtypeName(info.dtype), info.shape, info.dims);
  return result;
}

class PyBundle {
public:
  explicit PyBundle(const std::string &path) : bundle(ds::rt::Bundle::load(path)) {}
  std::shared_ptr<const ds::rt::Bundle> bundle;
};

class PySession {
public:
  PySession(const PyBundle &bundle, const std::string &device, int threads, bool profile)
      : bundle(bundle.bundle) {
    ds::rt::SessionOptions options;
    options.device = device;
    options.threads = threads;
    options.profile = profile;
    session = std::make_unique<ds::rt::Session>(this->bundle, options);
  }

  // inputs: (bytes, dtype name, shape) in manifest order. Returns the outputs in manifest
  // order as (bytes or None when empty, dtype name, shape).
  std::vector<std::tuple<nb::object, std::string, std::vector<int64_t>>>
  run(const std::vector<std::tuple<InputBytes, std::string, std::vector<int64_t>>> &inputs) {
    std::vector<Tensor> tensors;
    tensors.reserve(inputs.size());
    const std::vector<TensorInfo> &declared = bundle->inputs();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto &[bytes, dtypeName, shape] = inputs[i];
      std::string what = i < declared.size() ? "Input '" + declared[i].name + "'"
                                             : "Input #" + std::to_string(i);
      std::optional<DType> dtype = ds::rt::parseDType(dtypeName);
      if (!dtype)
        throw ds::rt::Error(what + " has unknown dtype '" + dtypeName + "'.");
      for (int64_t d : shape)
        if (d < 0)
          throw ds::rt::Error(what + " has a negative dim in shape [" +
                              ds::rt::shapeToString(shape) + "].");
      size_t expected =
          static_cast<size_t>(ds::rt::numElements(shape)) * ds::rt::dtypeSize(*dtype);
      if (bytes.size() != expected)
        throw ds::rt::Error(what + " holds " +
                            std::to_string(bytes.size()) + " bytes, but a " + dtypeName +
                            " tensor of shape [" + ds::rt::shapeToString(shape) + "] needs " +
                            std::to_string(expected) + ".");
      // Borrowed, not copied: graph inputs are never written by a run (docs/bundle.md §5:
      // only arena values are reused in place), and the caller's arrays outlive the call.
      tensors.push_back(Tensor::borrow(*dtype, shape, const_cast<uint8_t *>(bytes.data())));
    }

    std::vector<Tensor> outputs;
    {
      nb::gil_scoped_release noGil;
      // One run at a time per session: the plan cache and profile are session state.
      std::lock_guard<std::mutex> lock(runMutex);
      outputs = session->run(tensors);
    }

    std::vector<std::tuple<nb::object, std::string, std::vector<int64_t>>> result;
    result.reserve(outputs.size());
    for (Tensor &t : outputs) {
      nb::object bytes = nb::none();
      if (t.bytes() != 0) {
        if (!t.data())
          throw ds::rt::Error("The runtime returned an output of shape [" +
                              ds::rt::shapeToString(t.shape()) + "] without data.");
        // The capsule holds a share of the tensor's storage: the numpy array keeps the
        // memory alive after the session, the bundle, or this call are gone.
        auto *owner = new Tensor(t);
        nb::capsule capsule(owner, [](void *p) noexcept { delete static_cast<Tensor *>(p); });
        size_t shape[1] = {t.bytes()};
        bytes = OutputBytes(owner->data(), 1, shape, capsule).cast();
      }
      result.emplace_back(std::move(bytes), ds::rt::dtypeName(t.dtype()), t.shape());
    }
    return result;
  }

  std::shared_ptr<const ds::rt::Bundle> bundle;
  std::unique_ptr<ds::rt::Session> session;
  std::mutex runMutex;
};

}  // namespace

NB_MODULE(_runtime, m) {
  m.doc() = "Binding of the ds runtime (MLIR-free). Use the `dsc` package, not this module.";
  m.attr("__version__") = DS_VERSION;

  // ds::rt::Error becomes dsc.Error (a RuntimeError), defined in Python so that errors
  // raised by the Python layer and by the runtime share one class.
  nb::register_exception_translator([](const std::exception_ptr &p, void *) {
    try {
      std::rethrow_exception(p);
    } catch (const ds::rt::Error &e) {
      nb::object cls = nb::module_::import_("dsc._errors").attr("Error");
      PyErr_SetString(cls.ptr(), e.what());
    }
  });

  m.def("available_devices", &ds::rt::availableDevices,
        "Devices this build and machine can run on, e.g. ['cpu'].");
  m.def("resolve_device", &ds::rt::resolveDevice, "device"_a,
        "'auto' -> the best available device; an unknown or unavailable name raises.");

  nb::class_<PyBundle>(m, "Bundle")
      .def(nb::init<const std::string &>(), "path"_a)
      .def_prop_ro("path", [](const PyBundle &b) { return b.bundle->path(); })
      .def_prop_ro("format_version", [](const PyBundle &b) { return b.bundle->formatVersion(); })
      .def_prop_ro("ds_version", [](const PyBundle &b) { return b.bundle->dsVersion(); })
      .def_prop_ro("inputs", [](const PyBundle &b) { return describeTensors(b.bundle->inputs()); })
      .def_prop_ro("outputs",
                   [](const PyBundle &b) { return describeTensors(b.bundle->outputs()); })
      .def("describe", [](const PyBundle &b) { return b.bundle->describe(); });

  nb::class_<PySession>(m, "Session")
      .def(nb::init<const PyBundle &, const std::string &, int, bool>(), "bundle"_a,
           "device"_a = "cpu", "threads"_a = 0, "profile"_a = false)
      .def_prop_ro("device", [](const PySession &s) { return s.session->device(); })
      .def("run", &PySession::run, "inputs"_a)
      .def("profile",
           [](PySession &s) {
             std::lock_guard<std::mutex> lock(s.runMutex);
             std::vector<std::tuple<int, std::string, std::string, double, int64_t>> rows;
             for (const ds::rt::StepProfile &p : s.session->profile())
               rows.emplace_back(p.step, p.kind, p.name, p.totalMs, p.calls);
             return rows;
           })
      .def("reset_profile",
           [](PySession &s) {
             std::lock_guard<std::mutex> lock(s.runMutex);
             s.session->resetProfile();
           })
      .def_prop_ro("last_arena_bytes",
                   [](PySession &s) {
                     std::lock_guard<std::mutex> lock(s.runMutex);
                     return s.session->lastArenaBytes();
                   })
      .def("stats", [](PySession &s) {
        std::lock_guard<std::mutex> lock(s.runMutex);
        ds::rt::SessionStats st = s.session->stats();
        nb::dict d;
        d["runs"] = st.runs;
        d["plans_built"] = st.plansBuilt;
        d["plan_cache_hits"] = st.planCacheHits;
        d["eager_runs"] = st.eagerRuns;
        d["emulated_steps"] = st.emulatedSteps;
        d["cpu_fallback_steps"] = st.cpuFallbackSteps;
        return d;
      });
}
