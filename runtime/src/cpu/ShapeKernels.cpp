// cpu backend: shape and data-movement kernels (shape_of, the reshape family, transpose,
// concat, slice, split, expand, tile, pad). Gather/scatter live in GatherKernels.cpp and
// the generators (range, fill, trilu, nonzero, one_hot, eye_like) in ShapeGenerators.cpp.
//
// Every kernel here moves bytes: elements are copied by their size, so one code path
// serves every dtype. The work goes through copyStrided (ShapeUtil.cpp), which turns
// contiguous runs into memcpy and parallelizes large copies.
#include "ShapeUtil.h"

#include <algorithm>
#include <limits>

namespace ds::rt {
namespace shape {
namespace {

bool hasOperand(const std::vector<TensorView> &inputs, size_t i) {
  return i < inputs.size() && inputs[i].present;
}

// Integer values of a 0-d/1-d operand inside a kernel (the data is at hand there).
std::vector<int64_t> kernelInts(const KernelContext &ctx, size_t i) {
  const TensorView &t = ctx.inputs[i];
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  for (int64_t k = 0; k < t.numel(); ++k) out[k] = loadAsInt(t, k);
  return out;
}

// The plain copy behind every view kind, used when the core cannot alias the output.
void copyKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  const TensorView &out = ctx.outputs[0];
  if (in.bytes() != out.bytes())
    ctx.fail("input of " + std::to_string(in.bytes()) + " bytes cannot be copied into an output of " +
             std::to_string(out.bytes()) + " bytes");
  if (out.data != in.data && out.bytes()) std::memcpy(out.data, in.data, out.bytes());
}

//===--------------------------------------------------------------------------------===//
// shape_of
//===--------------------------------------------------------------------------------===//

std::pair<int64_t, int64_t> shapeOfRange(const StepDesc &step, int64_t rank) {
  auto clampDim = [&](int64_t v) {
    if (v < 0) v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampDim(attrInt(step, "start", 0));
  int64_t end = std::max(clampDim(attrInt(step, "end", rank)), start);
  return {start, end};
}

void shapeOfShape(ShapeContext &ctx) {
  auto [start, end] = shapeOfRange(ctx.step, ctx.inputs[0].shape.size());
  ctx.outputShapes = {{end - start}};
}

void shapeOfKernel(KernelContext &ctx) {
  const Shape &dims = ctx.inputs[0].shape;
  auto [start, end] = shapeOfRange(ctx.step, dims.size());
  for (int64_t i = start; i < end; ++i) storeFromInt(ctx.outputs[0], i - start, dims[i]);
}

//===--------------------------------------------------------------------------------===//
// reshape, squeeze, unsqueeze, flatten
//===--------------------------------------------------------------------------------===//

void reshapeShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  std::vector<int64_t> target = ctx.intValues(1);
  bool allowZero = attrBool(ctx.step, "allow_zero", false);
  Shape out(target.size());
  int64_t inferAt = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t t = target[i];
    if (t == -1) {
      if (inferAt >= 0)
        ctx.fail("shape " + listToString(target) + " has more than one -1");
      inferAt = static_cast<int64_t>(i);
      continue;
    }
    if (t < -1) ctx.fail("shape " + listToString(target) + " has the negative entry " +
                         std::to_string(t));
    if (t == 0 && !allowZero) {
      if (i >= in.size())
        ctx.fail("shape " + listToString(target) + " copies dim " + std::to_string(i) +
                 " (entry 0) but the input " + shapeToString(in) + " has rank " +
                 std::to_string(in.size()));
      t = in[i];
    }
    out[i] = t;
    known *= t;
  }
  int64_t count = numElements(in);
  if (inferAt >= 0) {
    if (known == 0 || count % known != 0)
      ctx.fail("cannot infer the -1 of shape " + listToString(target) + " for an input of " +
               shapeToString(in) + " (" + std::to_string(count) + " elements)");
    out[inferAt] = count / known;
  } else if (known != count) {
    ctx.fail("cannot reshape " + shapeToString(in) + " (" + std::to_string(count) +
             " elements) to shape " + listToString(target) + " (" + std::to_string(known) +
             " elements)");
  }
  ctx.outputShapes = {out};
}

void squeezeShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  int64_t rank = in.size();
  std::vector<bool> drop(rank, false);
  for (int64_t a : attrInts(ctx.step, "axes")) {
    int64_t axis = normalizeAxis(ctx, a, rank);
    if (in[axis] != 1)
      ctx.fail("cannot squeeze dim " + std::to_string(axis) + " of size " +
               std::to_string(in[axis]) + " (input " + shapeToString(in) + ")");
    drop[axis] = true;
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i]) out.push_back(in[i]);
  ctx.outputShapes = {out};
}

void unsqueezeShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  std::vector<int64_t> axes = attrInts(ctx.step, "axes");
  int64_t rank = in.size() + axes.size();
  std::vector<bool> inserted(rank, false);
  for (int64_t a : axes) {
    int64_t axis = normalizeAxis(ctx, a, rank);
    if (inserted[axis]) ctx.fail("axis " + std::to_string(a) + " is repeated in axes " +
                                 listToString(axes));
    inserted[axis] = true;
  }
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? 1 : in[next++]);
  ctx.outputShapes = {out};
}

void flattenShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  int64_t rank = in.size(), axis = attrInt(ctx.step, "axis", 1);
  if (axis < -rank || axis > rank)
    ctx.fail("axis " + std::to_string(axis) + " is out of range [" + std::to_string(-rank) +
             ", " + std::to_string(rank) + "]");
  if (axis < 0) axis += rank;
  Shape outer(in.begin(), in.begin() + axis), inner(in.begin() + axis, in.end());
  ctx.outputShapes = {{numElements(outer), numElements(inner)}};
}

//===--------------------------------------------------------------------------------===//
// transpose
//===--------------------------------------------------------------------------------===//

template <class Ctx> std::vector<int64_t> transposePerm(const Ctx &ctx, int64_t rank) {
  std::vector<int64_t> perm = attrInts(ctx.step, "perm");
  if (static_cast<int64_t>(perm.size()) != rank)
    ctx.fail("perm " + listToString(perm) + " does not have one entry per dim of rank " +
             std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (int64_t &p : perm) {
    p = normalizeAxis(ctx, p, rank, "perm entry");
    if (seen[p]) ctx.fail("perm " + listToString(attrInts(ctx.step, "perm")) +
                          " is not a permutation");
    seen[p] = true;
  }
  return perm;
}

void transposeShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  std::vector<int64_t> perm = transposePerm(ctx, in.size());
  Shape out;
  for (int64_t p : perm) out.push_back(in[p]);
  ctx.outputShapes = {out};
}

void transposeKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  std::vector<int64_t> perm = transposePerm(ctx, in.shape.size());
  std::vector<int64_t> inStrides = stridesOf(in.shape), srcStrides;
  for (int64_t p : perm) srcStrides.push_back(inStrides[p]);
  // Iterating in output order: last-dim-preserving permutations become row memcpys and
  // the rest blocked 2-D transposes (copyStrided picks).
  copyStrided(static_cast<char *>(out.data), static_cast<const char *>(in.data), out.shape,
              stridesOf(out.shape), srcStrides, dtypeSize(in.dtype), &ctx.pool);
}

//===--------------------------------------------------------------------------------===//
// concat
//===--------------------------------------------------------------------------------===//

void concatShape(ShapeContext &ctx) {
  if (ctx.inputs.empty()) ctx.fail("needs at least one input");
  const Shape &first = ctx.inputs[0].shape;
  int64_t rank = first.size();
  if (rank == 0) ctx.fail("cannot concatenate rank-0 tensors");
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  Shape out = first;
  out[axis] = 0;
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    const Shape &s = ctx.inputs[k].shape;
    bool ok = static_cast<int64_t>(s.size()) == rank;
    for (int64_t i = 0; ok && i < rank; ++i) ok = i == axis || s[i] == first[i];
    if (!ok)
      ctx.fail("input " + std::to_string(k) + " has shape " + shapeToString(s) +
               ", which does not match input 0 (" + shapeToString(first) +
               ") on every dim but " + std::to_string(axis));
    out[axis] += s[axis];
  }
  ctx.outputShapes = {out};
}

void concatKernel(KernelContext &ctx) {
  const TensorView &out = ctx.outputs[0];
  int64_t rank = out.shape.size();
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  size_t elem = dtypeSize(out.dtype);
  int64_t outer = numElements(Shape(out.shape.begin(), out.shape.begin() + axis));
  int64_t outRow = numElements(Shape(out.shape.begin() + axis, out.shape.end())) * elem;
  // Byte offset of each input inside an output row and its row length.
  std::vector<int64_t> offsets, rowBytes;
  int64_t offset = 0;
  for (const TensorView &in : ctx.inputs) {
    int64_t row = numElements(Shape(in.shape.begin() + axis, in.shape.end())) * elem;
    offsets.push_back(offset);
    rowBytes.push_back(row);
    offset += row;
  }
  char *dst = static_cast<char *>(out.data);
  parallelItems(ctx.pool, outer, outRow, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o)
      for (size_t k = 0; k < ctx.inputs.size(); ++k)
        if (rowBytes[k])
          std::memcpy(dst + o * outRow + offsets[k],
                      static_cast<const char *>(ctx.inputs[k].data) + o * rowBytes[k],
                      rowBytes[k]);
  });
}

//===--------------------------------------------------------------------------------===//
// slice
//===--------------------------------------------------------------------------------===//

// Per dim of the data: first element, step and element count of the slice.
struct SliceDims {
  std::vector<int64_t> start, step, count;
};

template <class Ctx>
SliceDims sliceDims(const Ctx &ctx, const Shape &dims, const std::vector<int64_t> &starts,
                    const std::vector<int64_t> &ends, const std::vector<int64_t> &axes,
                    const std::vector<int64_t> &steps) {
  size_t n = starts.size();
  if (ends.size() != n || axes.size() != n || steps.size() != n)
    ctx.fail("starts, ends, axes and steps have lengths " + std::to_string(n) + ", " +
             std::to_string(ends.size()) + ", " + std::to_string(axes.size()) + ", " +
             std::to_string(steps.size()) + "; they must be equal");
  int64_t rank = dims.size();
  SliceDims s{std::vector<int64_t>(rank, 0), std::vector<int64_t>(rank, 1), dims};
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = normalizeAxis(ctx, axes[i], rank);
    if (seen[axis]) ctx.fail("axis " + std::to_string(axes[i]) + " is repeated in axes " +
                             listToString(axes));
    seen[axis] = true;
    int64_t d = dims[axis], start = starts[i], end = ends[i], step = steps[i];
    if (step == 0) ctx.fail("step at index " + std::to_string(i) + " is 0");
    // Negative starts/ends count from the back (adding d >= 0 cannot overflow).
    if (start < 0) start += d;
    if (end < 0) end += d;
    int64_t count;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, d);
      end = std::clamp<int64_t>(end, 0, d);
      count = end > start ? (end - start - 1) / step + 1 : 0;
    } else if (d == 0) {
      start = 0;
      count = 0;
    } else {
      start = std::clamp<int64_t>(start, 0, d - 1);
      end = std::clamp<int64_t>(end, -1, d - 1);
      int64_t stride = step == std::numeric_limits<int64_t>::min()
                           ? std::numeric_limits<int64_t>::max()
                           : -step;
      count = start > end ? (start - end - 1) / stride + 1 : 0;
    }
    s.start[axis] = start;
    s.step[axis] = count > 1 ? step : 1;  // a step never taken may not fit in a stride
    s.count[axis] = count;
  }
  return s;
}

void sliceShape(ShapeContext &ctx) {
  SliceDims s = sliceDims(ctx, ctx.inputs[0].shape, ctx.intValues(1), ctx.intValues(2),
                          ctx.intValues(3), ctx.intValues(4));
  ctx.outputShapes = {s.count};
}

void sliceKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  SliceDims s = sliceDims(ctx, in.shape, kernelInts(ctx, 1), kernelInts(ctx, 2),
                          kernelInts(ctx, 3), kernelInts(ctx, 4));
  if (s.count != out.shape)
    ctx.fail("slice of " + shapeToString(in.shape) + " has shape " + shapeToString(s.count) +
             " but the output was allocated as " + shapeToString(out.shape));
  if (out.numel() == 0) return;
  std::vector<int64_t> strides = stridesOf(in.shape), srcStrides;
  int64_t base = 0;
  for (size_t i = 0; i < strides.size(); ++i) {
    base += s.start[i] * strides[i];
    srcStrides.push_back(s.step[i] * strides[i]);
  }
  size_t elem = dtypeSize(in.dtype);
  copyStrided(static_cast<char *>(out.data), static_cast<const char *>(in.data) + base * elem,
              out.shape, stridesOf(out.shape), srcStrides, elem, &ctx.pool);
}

//===--------------------------------------------------------------------------------===//
// split
//===--------------------------------------------------------------------------------===//

void splitShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  int64_t rank = in.size();
  if (rank == 0) ctx.fail("cannot split a rank-0 tensor");
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  int64_t n = attrInt(ctx.step, "num_outputs");
  if (n < 1) ctx.fail("num_outputs is " + std::to_string(n) + "; it must be positive");
  if (!ctx.outputTypes.empty() && static_cast<int64_t>(ctx.outputTypes.size()) != n)
    ctx.fail("num_outputs is " + std::to_string(n) + " but the step has " +
             std::to_string(ctx.outputTypes.size()) + " outputs");
  int64_t d = in[axis];
  std::vector<int64_t> sizes;
  if (hasOperand(ctx.inputs, 1)) {
    sizes = ctx.intValues(1);
    if (static_cast<int64_t>(sizes.size()) != n)
      ctx.fail("sizes " + listToString(sizes) + " has " + std::to_string(sizes.size()) +
               " entries for " + std::to_string(n) + " outputs");
    int64_t sum = 0;
    for (int64_t v : sizes) {
      if (v < 0) ctx.fail("sizes " + listToString(sizes) + " has a negative entry");
      sum += v;
    }
    if (sum != d)
      ctx.fail("sizes " + listToString(sizes) + " add up to " + std::to_string(sum) +
               " but dim " + std::to_string(axis) + " of " + shapeToString(in) + " has size " +
               std::to_string(d));
  } else {
    // ONNX Split-18 num_outputs: ceil(d / n) each, the last one what remains.
    int64_t chunk = (d + n - 1) / n, last = d - chunk * (n - 1);
    if (last < 0)
      ctx.fail("dim " + std::to_string(axis) + " of size " + std::to_string(d) +
               " cannot be split into " + std::to_string(n) + " pieces of " +
               std::to_string(chunk));
    sizes.assign(n, chunk);
    sizes.back() = last;
  }
  ctx.outputShapes.clear();
  for (int64_t size : sizes) {
    Shape s = in;
    s[axis] = size;
    ctx.outputShapes.push_back(s);
  }
}

void splitKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0];
  int64_t rank = in.shape.size();
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  size_t elem = dtypeSize(in.dtype);
  std::vector<int64_t> strides = stridesOf(in.shape);
  int64_t offset = 0;
  for (const TensorView &out : ctx.outputs) {
    if (out.shape.size() != in.shape.size())
      ctx.fail("output of shape " + shapeToString(out.shape) + " does not fit input " +
               shapeToString(in.shape));
    if (offset + out.shape[axis] > in.shape[axis])
      ctx.fail("outputs take more than the " + std::to_string(in.shape[axis]) +
               " entries of dim " + std::to_string(axis));
    copyStrided(static_cast<char *>(out.data),
                static_cast<const char *>(in.data) + offset * strides[axis] * elem, out.shape,
                stridesOf(out.shape), strides, elem, &ctx.pool);
    offset += out.shape[axis];
  }
}

//===--------------------------------------------------------------------------------===//
// expand, tile
//===--------------------------------------------------------------------------------===//

void expandShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  std::vector<int64_t> target = ctx.intValues(1);
  size_t rank = std::max(in.size(), target.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i + in.size() >= rank ? in[i + in.size() - rank] : 1;
    int64_t b = i + target.size() >= rank ? target[i + target.size() - rank] : 1;
    if (b < 0) ctx.fail("shape " + listToString(target) + " has the negative entry " +
                        std::to_string(b));
    if (a != b && a != 1 && b != 1)
      ctx.fail("cannot expand " + shapeToString(in) + " to shape " + listToString(target));
    out[i] = a == 1 ? b : a;
  }
  ctx.outputShapes = {out};
}

void expandKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  size_t rank = out.shape.size(), lead = rank - in.shape.size();
  std::vector<int64_t> inStrides = stridesOf(in.shape), srcStrides(rank, 0);
  for (size_t i = 0; i < in.shape.size(); ++i)
    srcStrides[lead + i] = in.shape[i] == 1 ? 0 : inStrides[i];
  copyStrided(static_cast<char *>(out.data), static_cast<const char *>(in.data), out.shape,
              stridesOf(out.shape), srcStrides, dtypeSize(in.dtype), &ctx.pool);
}

void tileShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  std::vector<int64_t> repeats = ctx.intValues(1);
  if (repeats.size() != in.size())
    ctx.fail("repeats " + listToString(repeats) + " has " + std::to_string(repeats.size()) +
             " entries for an input of rank " + std::to_string(in.size()));
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (repeats[i] < 0) ctx.fail("repeats " + listToString(repeats) + " has a negative entry");
    out.push_back(in[i] * repeats[i]);
  }
  ctx.outputShapes = {out};
}

void tileKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  if (out.numel() == 0) return;
  // out[r0*d0 + i0, ...] = in[i0, ...]: the output is the dense [r0, d0, r1, d1, ...]
  // view of the input with stride 0 on each repeat dim.
  std::vector<int64_t> inStrides = stridesOf(in.shape), srcStrides;
  Shape dims;
  for (size_t i = 0; i < in.shape.size(); ++i) {
    dims.push_back(out.shape[i] / in.shape[i]);
    dims.push_back(in.shape[i]);
    srcStrides.push_back(0);
    srcStrides.push_back(inStrides[i]);
  }
  copyStrided(static_cast<char *>(out.data), static_cast<const char *>(in.data), dims,
              stridesOf(dims), srcStrides, dtypeSize(in.dtype), &ctx.pool);
}

//===--------------------------------------------------------------------------------===//
// pad
//===--------------------------------------------------------------------------------===//

enum class PadMode { Constant, Reflect, Edge, Wrap };

template <class Ctx> PadMode padMode(const Ctx &ctx) {
  std::string mode = attrString(ctx.step, "mode", "constant");
  if (mode == "constant") return PadMode::Constant;
  if (mode == "reflect") return PadMode::Reflect;
  if (mode == "edge") return PadMode::Edge;
  if (mode == "wrap") return PadMode::Wrap;
  ctx.fail("unknown pad mode '" + mode + "' (expected constant, reflect, edge or wrap)");
}

// Begin and end pads per dim, from `pads` and the optional `axes` attribute.
template <class Ctx>
std::pair<std::vector<int64_t>, std::vector<int64_t>>
padAmounts(const Ctx &ctx, const Shape &in, const std::vector<int64_t> &pads) {
  int64_t rank = in.size();
  std::vector<int64_t> axes;
  auto it = ctx.step.attrs.find("axes");
  if (it != ctx.step.attrs.end() && !it->is_null()) {
    for (int64_t a : attrInts(ctx.step, "axes")) axes.push_back(normalizeAxis(ctx, a, rank));
  } else {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  size_t n = axes.size();
  if (pads.size() != 2 * n)
    ctx.fail("pads " + listToString(pads) + " has " + std::to_string(pads.size()) +
             " entries but " + std::to_string(n) + " axes need " + std::to_string(2 * n));
  std::vector<int64_t> begin(rank, 0), end(rank, 0);
  for (size_t i = 0; i < n; ++i) {
    begin[axes[i]] += pads[i];
    end[axes[i]] += pads[n + i];
  }
  return {begin, end};
}

// One padded dim. Negative pads crop first and the modes then work on what remains
// (as onnxruntime does; the ONNX reference, np.pad, rejects negative pads).
struct PadDim {
  int64_t cropBegin;  // elements cropped at the front
  int64_t kept;       // input elements left after cropping
  int64_t begin;      // elements added at the front (>= 0)
};

PadDim padDim(int64_t d, int64_t begin, int64_t end) {
  int64_t cropBegin = std::max<int64_t>(0, -begin), cropEnd = std::max<int64_t>(0, -end);
  return {cropBegin, d - cropBegin - cropEnd, std::max<int64_t>(0, begin)};
}

void padShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  PadMode mode = padMode(ctx);
  auto [begin, end] = padAmounts(ctx, in, ctx.intValues(1));
  Shape out = in;
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] = in[i] + begin[i] + end[i];
    std::string what = "padding dim " + std::to_string(i) + " of size " + std::to_string(in[i]) +
                       " by " + std::to_string(begin[i]) + " and " + std::to_string(end[i]);
    if (out[i] < 0) ctx.fail(what + " gives a negative size");
    if (mode == PadMode::Constant) continue;
    PadDim p = padDim(in[i], begin[i], end[i]);
    if (p.kept < 0) ctx.fail(what + " crops more elements than the dim has");
    if (p.kept == 0 && out[i] > 0)
      ctx.fail(what + ": cannot pad an empty dim in " + attrString(ctx.step, "mode") + " mode");
  }
  ctx.outputShapes = {out};
}

// Input coordinate of output coordinate `o` of a dim (-1: the pad value).
int64_t padSource(PadMode mode, int64_t o, const PadDim &p) {
  int64_t c = o - p.begin, d = p.kept;
  if (c >= 0 && c < d) return c + p.cropBegin;
  switch (mode) {
  case PadMode::Constant: return -1;
  case PadMode::Edge: c = c < 0 ? 0 : d - 1; break;
  case PadMode::Wrap: c = ((c % d) + d) % d; break;
  case PadMode::Reflect: {
    if (d == 1) {
      c = 0;
      break;
    }
    // Mirror without repeating the edge, periodic with 2(d-1) (numpy's reflect).
    int64_t period = 2 * (d - 1), m = ((c % period) + period) % period;
    c = m < d ? m : period - m;
    break;
  }
  }
  return c + p.cropBegin;
}

void padKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  PadMode mode = padMode(ctx);
  auto [begin, end] = padAmounts(ctx, in.shape, kernelInts(ctx, 1));
  size_t elem = dtypeSize(in.dtype), rank = in.shape.size();
  if (out.numel() == 0) return;
  // The pad value as the output's bytes (the value operand has the data's dtype).
  uint64_t value = 0;
  if (hasOperand(ctx.inputs, 2)) {
    const TensorView &v = ctx.inputs[2];
    if (v.numel() != 1) ctx.fail("the pad value must have one element, got shape " +
                                 shapeToString(v.shape));
    if (v.dtype == in.dtype) std::memcpy(&value, v.data, elem);
    else {
      TensorView slot{in.dtype, {}, &value, true};
      if (isFloat(v.dtype)) storeFromDouble(slot, 0, loadAsDouble(v, 0));
      else storeFromInt(slot, 0, loadAsInt(v, 0));
    }
  }
  if (rank == 0) {
    std::memcpy(out.data, in.data, elem);
    return;
  }
  // Per dim, the source coordinate of every output coordinate.
  std::vector<std::vector<int64_t>> source(rank);
  for (size_t i = 0; i < rank; ++i) {
    PadDim p = padDim(in.shape[i], begin[i], end[i]);
    if (p.kept < 0 && mode != PadMode::Constant)
      ctx.fail("padding dim " + std::to_string(i) + " crops more elements than it has");
    for (int64_t o = 0; o < out.shape[i]; ++o) source[i].push_back(padSource(mode, o, p));
  }
  std::vector<int64_t> inStrides = stridesOf(in.shape);
  Shape rowDims(out.shape.begin(), out.shape.end() - 1);
  int64_t rowLen = out.shape.back(), d = in.shape.back(), b = begin.back();
  // The stretch of a row that is a plain copy of an input row.
  int64_t copyFrom = std::clamp<int64_t>(b, 0, rowLen),
          copyTo = std::clamp<int64_t>(b + d, 0, rowLen);
  const std::vector<int64_t> &lastSource = source.back();
  const char *src = static_cast<const char *>(in.data);
  char *dst = static_cast<char *>(out.data);
  parallelItems(ctx.pool, numElements(rowDims), rowLen * elem, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> idx;
    unravel(r0, rowDims, idx);
    for (int64_t r = r0; r < r1; ++r, increment(idx, rowDims)) {
      char *row = dst + r * rowLen * elem;
      int64_t srcRow = 0;
      bool isPad = false;
      for (size_t i = 0; i < idx.size() && !isPad; ++i) {
        int64_t c = source[i][idx[i]];
        isPad = c < 0;
        srcRow += c * inStrides[i];
      }
      if (isPad) {
        fillElements(row, rowLen, &value, elem);
        continue;
      }
      const char *inRow = src + srcRow * elem;
      for (int64_t o = 0; o < rowLen;) {
        if (o == copyFrom && copyTo > copyFrom) {
          std::memcpy(row + o * elem, inRow + (o - b) * elem, (copyTo - copyFrom) * elem);
          o = copyTo;
          continue;
        }
        int64_t c = lastSource[o];
        const char *from = c < 0 ? reinterpret_cast<const char *>(&value) : inRow + c * elem;
        std::memcpy(row + o * elem, from, elem);
        ++o;
      }
    }
  });
}

}  // namespace
}  // namespace shape

void registerCpuShapeKernels(KernelRegistry &registry) {
  using namespace shape;
  KernelDef shapeOf{shapeOfShape, shapeOfKernel};
  shapeOf.readsInputData = false;
  registry.add("shape_of", shapeOf);
  // Views: the core aliases them and does not call the kernel unless it cannot.
  registry.add("reshape", {reshapeShape, copyKernel});
  registry.add("squeeze", {squeezeShape, copyKernel});
  registry.add("unsqueeze", {unsqueezeShape, copyKernel});
  registry.add("flatten", {flattenShape, copyKernel});
  registry.add("transpose", {transposeShape, transposeKernel});
  registry.add("concat", {concatShape, concatKernel});
  registry.add("slice", {sliceShape, sliceKernel});
  registry.add("split", {splitShape, splitKernel});
  registry.add("expand", {expandShape, expandKernel});
  registry.add("tile", {tileShape, tileKernel});
  registry.add("pad", {padShape, padKernel});
  registerGatherScatterKernels(registry);
  registerGeneratorKernels(registry);
}

}  // namespace ds::rt
