/* ds runtime: the C API, for embedding the runtime in C and other languages.
 *
 *   ds_bundle *bundle;
 *   if (ds_bundle_load("model.dsb", &bundle) != DS_OK) fprintf(stderr, "%s\n", ds_last_error());
 *   ds_session *session;
 *   ds_session_create(bundle, "cpu", 0, &session);
 *   ds_input in = {DS_F32, 2, dims, data};
 *   ds_tensor *out[1];
 *   ds_session_run(session, &in, 1, out, 1);
 *   ... ds_tensor_data(out[0]) ...
 *   ds_tensor_free(out[0]); ds_session_free(session); ds_bundle_free(bundle);
 *
 * Every function that can fail returns a ds_status; on failure ds_last_error() holds a
 * message for the calling thread. No function aborts or lets a C++ exception escape. */
#ifndef DS_RUNTIME_H
#define DS_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ds_status {
  DS_OK = 0,
  DS_ERROR_INVALID_ARGUMENT = 1, /* null pointer, index or count out of range, bad dtype */
  DS_ERROR_BUNDLE = 2,           /* the bundle cannot be loaded or is not supported */
  DS_ERROR_DEVICE = 3,           /* unknown or unavailable device */
  DS_ERROR_RUN = 4,              /* inputs that do not match the bundle, kernel errors */
  DS_ERROR_OUT_OF_MEMORY = 5,
  DS_ERROR_INTERNAL = 6
} ds_status;

/* Element types; names as in bundles ("f32", "bf16", "i1", "ui8", ...). i1 is one byte. */
typedef enum ds_dtype {
  DS_F32 = 0, DS_F16, DS_BF16, DS_F64, DS_F8E4M3FN, DS_F8E5M2,
  DS_I1, DS_I8, DS_I16, DS_I32, DS_I64, DS_U8, DS_U16, DS_U32, DS_U64
} ds_dtype;

typedef struct ds_bundle ds_bundle;
typedef struct ds_session ds_session;
typedef struct ds_tensor ds_tensor;

/* The message of the last failed call on this thread ("" when none failed yet). The
 * pointer stays valid until the next failing call on this thread. */
const char *ds_last_error(void);
const char *ds_status_name(ds_status status);
const char *ds_dtype_name(ds_dtype dtype); /* "?" for an invalid value */
size_t ds_dtype_size(ds_dtype dtype);      /* 0 for an invalid value */
const char *ds_version(void);

/* ---- bundles ---- */
ds_status ds_bundle_load(const char *path, ds_bundle **out);
void ds_bundle_free(ds_bundle *bundle); /* sessions keep what they need; NULL is fine */
size_t ds_bundle_input_count(const ds_bundle *bundle);
size_t ds_bundle_output_count(const ds_bundle *bundle);

typedef struct ds_tensor_info {
  const char *name;
  ds_dtype dtype;
  size_t rank;
  const int64_t *dims;           /* rank entries, -1 for a dynamic dim */
  const char *const *dim_names;  /* rank entries: the symbol of a dynamic dim, else "" */
} ds_tensor_info;

/* The pointers in `info` stay valid while the bundle is alive. */
ds_status ds_bundle_input_info(const ds_bundle *bundle, size_t index, ds_tensor_info *info);
ds_status ds_bundle_output_info(const ds_bundle *bundle, size_t index, ds_tensor_info *info);

/* ---- sessions ---- */
/* device: "cpu" or "auto" (NULL means "cpu"); threads: 0 for all cores. */
ds_status ds_session_create(const ds_bundle *bundle, const char *device, int threads,
                            ds_session **out);
void ds_session_free(ds_session *session); /* NULL is fine */
const char *ds_session_device(const ds_session *session);

/* An input in caller memory: dense, row-major. It is only read, during the call. */
typedef struct ds_input {
  ds_dtype dtype;
  size_t rank;
  const int64_t *dims;
  const void *data;
} ds_input;

/* Runs one call. `inputs` in manifest order; `outputs` is an array of `num_outputs`
 * (the bundle's output count) that receives one owned tensor per output. On failure no
 * tensor is returned (the entries are set to NULL). Calls on one session are serialized. */
ds_status ds_session_run(ds_session *session, const ds_input *inputs, size_t num_inputs,
                         ds_tensor **outputs, size_t num_outputs);

/* ---- output tensors ---- */
ds_dtype ds_tensor_dtype(const ds_tensor *tensor);
size_t ds_tensor_rank(const ds_tensor *tensor);
const int64_t *ds_tensor_dims(const ds_tensor *tensor);
int64_t ds_tensor_numel(const ds_tensor *tensor);
size_t ds_tensor_bytes(const ds_tensor *tensor);
void *ds_tensor_data(ds_tensor *tensor); /* 64-byte aligned; owned by the tensor */
void ds_tensor_free(ds_tensor *tensor);  /* NULL is fine */

#ifdef __cplusplus
}
#endif

#endif /* DS_RUNTIME_H */
