// The C API (include/ds/runtime/ds_runtime.h) over the C++ runtime. Every entry point
// catches everything: no exception crosses the C boundary.
#include "ds/runtime/ds_runtime.h"
#include "ds/runtime/Runtime.h"

#include <new>
#include <string>
#include <vector>

#ifndef DS_VERSION
#define DS_VERSION "unknown"
#endif

using namespace ds::rt;

static_assert(static_cast<int>(DType::F32) == DS_F32 && static_cast<int>(DType::F64) == DS_F64 &&
                  static_cast<int>(DType::I1) == DS_I1 && static_cast<int>(DType::U64) == DS_U64,
              "ds_dtype must follow ds::rt::DType");

struct ds_bundle {
  std::shared_ptr<const Bundle> bundle;
  // C views of the manifest tensors, kept alive with the handle.
  struct Info {
    std::vector<const char *> dimNames;
  };
  std::vector<Info> inputs, outputs;
};

struct ds_session {
  std::unique_ptr<Session> session;
};

struct ds_tensor {
  Tensor tensor;
};

namespace {

thread_local std::string tLastError;

ds_status fail(ds_status status, const std::string &message) {
  tLastError = message;
  return status;
}

// Runs `body`, mapping exceptions to statuses.
template <class F> ds_status guarded(ds_status onError, F &&body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return fail(DS_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const Error &e) {
    return fail(onError, e.what());
  } catch (const std::exception &e) {
    return fail(DS_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(DS_ERROR_INTERNAL, "internal error: unknown exception");
  }
}

bool validDType(int d) { return d >= DS_F32 && d <= DS_U64; }

std::vector<ds_bundle::Info> cInfos(const std::vector<TensorInfo> &infos) {
  std::vector<ds_bundle::Info> out(infos.size());
  for (size_t i = 0; i < infos.size(); ++i)
    for (const auto &name : infos[i].dims) out[i].dimNames.push_back(name.c_str());
  return out;
}

ds_status tensorInfo(const ds_bundle *bundle, size_t index, ds_tensor_info *info, bool input) {
  if (!bundle || !info) return fail(DS_ERROR_INVALID_ARGUMENT, "ds_bundle_*_info: null argument");
  const auto &infos = input ? bundle->bundle->inputs() : bundle->bundle->outputs();
  if (index >= infos.size())
    return fail(DS_ERROR_INVALID_ARGUMENT,
                std::string(input ? "input" : "output") + " index " + std::to_string(index) +
                    " is out of range (the bundle has " + std::to_string(infos.size()) + ")");
  const TensorInfo &t = infos[index];
  info->name = t.name.c_str();
  info->dtype = static_cast<ds_dtype>(t.dtype);
  info->rank = t.shape.size();
  info->dims = t.shape.data();
  info->dim_names = (input ? bundle->inputs : bundle->outputs)[index].dimNames.data();
  return DS_OK;
}

}  // namespace

extern "C" {

const char *ds_last_error(void) { return tLastError.c_str(); }

const char *ds_status_name(ds_status status) {
  switch (status) {
  case DS_OK: return "DS_OK";
  case DS_ERROR_INVALID_ARGUMENT: return "DS_ERROR_INVALID_ARGUMENT";
  case DS_ERROR_BUNDLE: return "DS_ERROR_BUNDLE";
  case DS_ERROR_DEVICE: return "DS_ERROR_DEVICE";
  case DS_ERROR_RUN: return "DS_ERROR_RUN";
  case DS_ERROR_OUT_OF_MEMORY: return "DS_ERROR_OUT_OF_MEMORY";
  case DS_ERROR_INTERNAL: return "DS_ERROR_INTERNAL";
  }
  return "?";
}

const char *ds_dtype_name(ds_dtype dtype) {
  return validDType(dtype) ? dtypeName(static_cast<DType>(dtype)) : "?";
}
size_t ds_dtype_size(ds_dtype dtype) {
  return validDType(dtype) ? dtypeSize(static_cast<DType>(dtype)) : 0;
}
const char *ds_version(void) { return DS_VERSION; }

ds_status ds_bundle_load(const char *path, ds_bundle **out) {
  if (out) *out = nullptr;
  if (!path || !out) return fail(DS_ERROR_INVALID_ARGUMENT, "ds_bundle_load: null argument");
  return guarded(DS_ERROR_BUNDLE, [&] {
    auto handle = std::make_unique<ds_bundle>();
    handle->bundle = Bundle::load(path);
    handle->inputs = cInfos(handle->bundle->inputs());
    handle->outputs = cInfos(handle->bundle->outputs());
    *out = handle.release();
    return DS_OK;
  });
}

void ds_bundle_free(ds_bundle *bundle) { delete bundle; }

size_t ds_bundle_input_count(const ds_bundle *bundle) {
  return bundle ? bundle->bundle->inputs().size() : 0;
}
size_t ds_bundle_output_count(const ds_bundle *bundle) {
  return bundle ? bundle->bundle->outputs().size() : 0;
}
ds_status ds_bundle_input_info(const ds_bundle *bundle, size_t index, ds_tensor_info *info) {
  return tensorInfo(bundle, index, info, true);
}
ds_status ds_bundle_output_info(const ds_bundle *bundle, size_t index, ds_tensor_info *info) {
  return tensorInfo(bundle, index, info, false);
}

ds_status ds_session_create(const ds_bundle *bundle, const char *device, int threads,
                            ds_session **out) {
  if (out) *out = nullptr;
  if (!bundle || !out) return fail(DS_ERROR_INVALID_ARGUMENT, "ds_session_create: null argument");
  if (threads < 0)
    return fail(DS_ERROR_INVALID_ARGUMENT, "ds_session_create: threads must be >= 0, got " +
                                               std::to_string(threads));
  SessionOptions options;
  options.device = device ? device : "cpu";
  options.threads = threads;
  ds_status st = guarded(DS_ERROR_DEVICE, [&] {
    options.device = resolveDevice(options.device);
    return DS_OK;
  });
  if (st != DS_OK) return st;
  return guarded(DS_ERROR_BUNDLE, [&] {
    auto handle = std::make_unique<ds_session>();
    handle->session = std::make_unique<Session>(bundle->bundle, options);
    *out = handle.release();
    return DS_OK;
  });
}

void ds_session_free(ds_session *session) { delete session; }

const char *ds_session_device(const ds_session *session) {
  return session ? session->session->device().c_str() : "";
}

ds_status ds_session_run(ds_session *session, const ds_input *inputs, size_t num_inputs,
                         ds_tensor **outputs, size_t num_outputs) {
  if (outputs)
    for (size_t i = 0; i < num_outputs; ++i) outputs[i] = nullptr;
  if (!session || (!inputs && num_inputs) || (!outputs && num_outputs))
    return fail(DS_ERROR_INVALID_ARGUMENT, "ds_session_run: null argument");
  size_t expected = session->session->bundle().outputs().size();
  if (num_outputs != expected)
    return fail(DS_ERROR_INVALID_ARGUMENT, "ds_session_run: the bundle has " +
                                               std::to_string(expected) + " outputs, " +
                                               std::to_string(num_outputs) + " slots given");
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < num_inputs; ++i) {
    const ds_input &in = inputs[i];
    if (!validDType(in.dtype))
      return fail(DS_ERROR_INVALID_ARGUMENT, "ds_session_run: input " + std::to_string(i) +
                                                 " has an invalid dtype " +
                                                 std::to_string(static_cast<int>(in.dtype)));
    if (in.rank && !in.dims)
      return fail(DS_ERROR_INVALID_ARGUMENT,
                  "ds_session_run: input " + std::to_string(i) + " has rank " +
                      std::to_string(in.rank) + " but no dims");
    Shape shape(in.dims, in.dims + in.rank);
    tensors.push_back(Tensor::borrow(static_cast<DType>(in.dtype), shape, const_cast<void *>(in.data)));
  }
  return guarded(DS_ERROR_RUN, [&] {
    std::vector<Tensor> results = session->session->run(tensors);
    std::vector<std::unique_ptr<ds_tensor>> owned;
    for (auto &t : results) owned.push_back(std::unique_ptr<ds_tensor>(new ds_tensor{std::move(t)}));
    for (size_t i = 0; i < owned.size(); ++i) outputs[i] = owned[i].release();
    return DS_OK;
  });
}

ds_dtype ds_tensor_dtype(const ds_tensor *t) { return t ? static_cast<ds_dtype>(t->tensor.dtype()) : DS_F32; }
size_t ds_tensor_rank(const ds_tensor *t) { return t ? t->tensor.shape().size() : 0; }
const int64_t *ds_tensor_dims(const ds_tensor *t) { return t ? t->tensor.shape().data() : nullptr; }
int64_t ds_tensor_numel(const ds_tensor *t) { return t ? t->tensor.numel() : 0; }
size_t ds_tensor_bytes(const ds_tensor *t) { return t ? t->tensor.bytes() : 0; }
void *ds_tensor_data(ds_tensor *t) { return t ? t->tensor.data() : nullptr; }
void ds_tensor_free(ds_tensor *t) { delete t; }

}  // extern "C"
