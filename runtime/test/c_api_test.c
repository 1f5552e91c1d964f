/* The C API, compiled as C: load, inspect, run, outputs, errors. Writes its own bundles
 * (no steps, so it needs no kernels) into a temporary directory. Exit status 0 on success. */
#define _DEFAULT_SOURCE
#include "ds/runtime/ds_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                          \
    }                                                                      \
  } while (0)

static void write_file(const char *dir, const char *name, const void *data, size_t size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fwrite(data, 1, size, f);
  fclose(f);
}

/* y = x (an input returned as an output), w = a weight. */
static const char *kManifest =
    "{\"format_version\": 1, \"ds_version\": \"test\", \"producer\": \"c_api_test\","
    " \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [\"batch\", 3]}],"
    " \"outputs\": [{\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [\"batch\", 3]},"
    "               {\"name\": \"w\", \"dtype\": \"i32\", \"shape\": [2]}]}";
static const char *kSteps =
    "{\"format_version\": 1, \"inputs\": [0], \"outputs\": [0, 1],"
    " \"values\": [{\"id\": 0, \"dtype\": \"f32\", \"shape\": [-1, 3], \"def\": \"input\", \"index\": 0},"
    "             {\"id\": 1, \"dtype\": \"i32\", \"shape\": [2], \"def\": \"weight\", \"weight\": \"w\"}],"
    " \"steps\": []}";

static void write_weights(const char *dir) {
  const char *header = "{\"w\": {\"dtype\": \"i32\", \"shape\": [2], \"offset\": 0, \"length\": 8}}";
  unsigned char buf[192];
  size_t len = 128 - 8; /* header padded so data starts at 128 */
  int32_t w[2] = {7, -9};
  memset(buf, ' ', sizeof buf);
  for (int i = 0; i < 8; ++i) buf[i] = (unsigned char)((len >> (8 * i)) & 0xff);
  memcpy(buf + 8, header, strlen(header));
  memcpy(buf + 128, w, sizeof w);
  write_file(dir, "weights.bin", buf, 128 + sizeof w);
}

int main(void) {
  char base[] = "/tmp/ds-c-api-XXXXXX";
  if (!mkdtemp(base)) {
    perror("mkdtemp");
    return 2;
  }
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/model.dsb", base);
  mkdir(dir, 0777);
  write_file(dir, "manifest.json", kManifest, strlen(kManifest));
  write_file(dir, "steps.json", kSteps, strlen(kSteps));
  write_weights(dir);

  CHECK(strcmp(ds_dtype_name(DS_BF16), "bf16") == 0);
  CHECK(ds_dtype_size(DS_I64) == 8);
  CHECK(ds_dtype_size((ds_dtype)99) == 0);

  /* Load and inspect. */
  ds_bundle *bundle = NULL;
  ds_status st = ds_bundle_load(dir, &bundle);
  if (st != DS_OK) {
    fprintf(stderr, "load failed: %s\n", ds_last_error());
    return 1;
  }
  CHECK(ds_bundle_input_count(bundle) == 1);
  CHECK(ds_bundle_output_count(bundle) == 2);
  ds_tensor_info info;
  CHECK(ds_bundle_input_info(bundle, 0, &info) == DS_OK);
  CHECK(strcmp(info.name, "x") == 0);
  CHECK(info.dtype == DS_F32);
  CHECK(info.rank == 2 && info.dims[0] == -1 && info.dims[1] == 3);
  CHECK(strcmp(info.dim_names[0], "batch") == 0 && strcmp(info.dim_names[1], "") == 0);
  CHECK(ds_bundle_output_info(bundle, 1, &info) == DS_OK);
  CHECK(strcmp(info.name, "w") == 0 && info.dtype == DS_I32);
  CHECK(ds_bundle_output_info(bundle, 2, &info) == DS_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(ds_last_error(), "output index 2 is out of range") != NULL);

  /* Sessions. */
  ds_session *session = NULL;
  CHECK(ds_session_create(bundle, "warp-drive", 0, &session) == DS_ERROR_DEVICE);
  CHECK(session == NULL);
  CHECK(strstr(ds_last_error(), "unknown device 'warp-drive'") != NULL);
  CHECK(ds_session_create(bundle, "auto", 1, &session) == DS_OK);
  CHECK(strcmp(ds_session_device(session), "cpu") == 0);

  /* Run: outputs are owned copies. */
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t dims[2] = {2, 3};
  ds_input input = {DS_F32, 2, dims, x};
  ds_tensor *outputs[2] = {NULL, NULL};
  st = ds_session_run(session, &input, 1, outputs, 2);
  if (st != DS_OK) fprintf(stderr, "run failed: %s\n", ds_last_error());
  CHECK(st == DS_OK);
  if (st == DS_OK) {
    CHECK(ds_tensor_dtype(outputs[0]) == DS_F32);
    CHECK(ds_tensor_rank(outputs[0]) == 2);
    CHECK(ds_tensor_dims(outputs[0])[0] == 2 && ds_tensor_dims(outputs[0])[1] == 3);
    CHECK(ds_tensor_numel(outputs[0]) == 6 && ds_tensor_bytes(outputs[0]) == 24);
    float *y = (float *)ds_tensor_data(outputs[0]);
    CHECK(y != x && y[0] == 1 && y[5] == 6);
    CHECK(((uintptr_t)y % 64) == 0);
    int32_t *w = (int32_t *)ds_tensor_data(outputs[1]);
    CHECK(w[0] == 7 && w[1] == -9);
    ds_tensor_free(outputs[0]);
    ds_tensor_free(outputs[1]);
  }

  /* Input errors. */
  int64_t bad_dims[2] = {2, 4};
  ds_input bad = {DS_F32, 2, bad_dims, x};
  CHECK(ds_session_run(session, &bad, 1, outputs, 2) == DS_ERROR_RUN);
  CHECK(strstr(ds_last_error(), "input 'x' dim 1 must be 3, got 4") != NULL);
  CHECK(outputs[0] == NULL && outputs[1] == NULL);
  ds_input wrong_type = {DS_F16, 2, dims, x};
  CHECK(ds_session_run(session, &wrong_type, 1, outputs, 2) == DS_ERROR_RUN);
  CHECK(strstr(ds_last_error(), "must be f32, got f16") != NULL);
  CHECK(ds_session_run(session, &input, 1, outputs, 1) == DS_ERROR_INVALID_ARGUMENT);
  CHECK(ds_session_run(NULL, &input, 1, outputs, 2) == DS_ERROR_INVALID_ARGUMENT);

  /* The session keeps the bundle alive after ds_bundle_free. */
  ds_bundle_free(bundle);
  CHECK(ds_session_run(session, &input, 1, outputs, 2) == DS_OK);
  ds_tensor_free(outputs[0]);
  ds_tensor_free(outputs[1]);
  ds_session_free(session);

  /* Bundle errors. */
  CHECK(ds_bundle_load("/nonexistent.dsb", &bundle) == DS_ERROR_BUNDLE);
  CHECK(bundle == NULL);
  CHECK(strstr(ds_last_error(), "/nonexistent.dsb: bundle not found") != NULL);
  CHECK(ds_bundle_load(NULL, &bundle) == DS_ERROR_INVALID_ARGUMENT);
  write_file(dir, "steps.json", "{", 1);
  CHECK(ds_bundle_load(dir, &bundle) == DS_ERROR_BUNDLE);
  CHECK(strstr(ds_last_error(), "steps.json: invalid JSON") != NULL);
  /* A step kind no backend has. */
  const char *unknown =
      "{\"format_version\": 1, \"inputs\": [0], \"outputs\": [1],"
      " \"values\": [{\"id\": 0, \"dtype\": \"f32\", \"shape\": [-1, 3], \"def\": \"input\", \"index\": 0},"
      "             {\"id\": 1, \"dtype\": \"i32\", \"shape\": [2], \"def\": \"step\", \"step\": 0}],"
      " \"steps\": [{\"kind\": \"no_such_kind\", \"inputs\": [0], \"outputs\": [1]}]}";
  write_file(dir, "steps.json", unknown, strlen(unknown));
  const char *manifest2 =
      "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [\"batch\", 3]}],"
      " \"outputs\": [{\"name\": \"w\", \"dtype\": \"i32\", \"shape\": [2]}]}";
  write_file(dir, "manifest.json", manifest2, strlen(manifest2));
  CHECK(ds_bundle_load(dir, &bundle) == DS_OK);
  CHECK(ds_session_create(bundle, NULL, 0, &session) == DS_ERROR_BUNDLE);
  CHECK(strstr(ds_last_error(), "'no_such_kind' (step 0)") != NULL);
  ds_bundle_free(bundle);

  const char *files[] = {"manifest.json", "steps.json", "weights.bin"};
  for (int i = 0; i < 3; ++i) {
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    remove(path);
  }
  rmdir(dir);
  rmdir(base);

  if (failures) {
    fprintf(stderr, "c_api_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
