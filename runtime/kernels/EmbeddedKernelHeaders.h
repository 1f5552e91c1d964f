// The headers of runtime/kernels (ds_device.cuh, ds_emu.h and the kernel templates),
// embedded at build time (runtime/kernels/Embed.cmake) so that neither the runtime nor the
// compiler reads the repository at run time. NVRTC gets them as in-memory headers; the
// emulator writes them next to the sources it compiles.
#pragma once

#include <cstddef>

namespace ds::kernels {

struct EmbeddedHeader {
  const char *name;  // file name, e.g. "ds_device.cuh"
  const char *text;  // NUL-terminated
  size_t size;       // bytes, without the terminating NUL
};

// Every embedded header, sorted by name; *count receives their number.
const EmbeddedHeader *embeddedHeaders(size_t *count);
// nullptr when there is no header of that name.
const EmbeddedHeader *findEmbeddedHeader(const char *name);

}  // namespace ds::kernels
