//===- Importer.cpp - ONNX model to ds dialect ----------------------------===//
//
// Loads a ModelProto, checks it (opsets, supported ops, graph order, types), and
// builds one func.func of ds ops. Node names become NameLocs. Every error names the
// node (name, op type, domain, opset); all unsupported ops are listed at once.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <deque>

#ifndef DS_ONNX_MAX_OPSET
#error "DS_ONNX_MAX_OPSET must come from the build (the onnx package's newest opset)"
#endif

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

int64_t onnx_import::maxSupportedOpset() { return DS_ONNX_MAX_OPSET; }

void onnx_import::registerImporterDialects(DialectRegistry &registry) {
  registry.insert<DsDialect, func::FuncDialect>();
}

std::string onnx_import::parseInputShapeSpec(StringRef spec, ImportOptions &options) {
  SmallVector<StringRef> items;
  spec.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    auto [name, dims] = item.rsplit(':');
    if (name.empty() || dims.empty() || name == item)
      return "--input-shape expects NAME:D0xD1x... (for example input_ids:1x128), got '" +
             item.str() + "'";
    SmallVector<int64_t> shape;
    if (dims != "scalar") {
      SmallVector<StringRef> parts;
      dims.split(parts, 'x');
      for (StringRef p : parts) {
        int64_t d;
        if (p == "?")
          shape.push_back(ShapedType::kDynamic);
        else if (!p.getAsInteger(10, d) && d >= 0)
          shape.push_back(d);
        else
          return "--input-shape: dim '" + p.str() + "' of '" + name.str() +
                 "' is not a non-negative integer or '?'";
      }
    }
    options.inputShapes[name] = shape;
  }
  return "";
}

GraphImporter::GraphImporter(MLIRContext &ctx, const ImportOptions &options,
                             std::string modelPath, std::vector<std::string> &errors)
    : ctx(ctx), options(options), modelPath(std::move(modelPath)), errors(errors),
      externalData([&] {
        SmallString<256> dir(this->modelPath);
        llvm::sys::path::remove_filename(dir);
        if (dir.empty())
          dir = ".";
        return std::string(dir);
      }()) {
  registerElementwiseHandlers(registry);
  registerMathHandlers(registry);
  registerShapeHandlers(registry);
  registerTransformerHandlers(registry);
  registerQuantHandlers(registry);
}

std::string GraphImporter::describeNode(const onnx::NodeProto &node,
                                        int64_t opset) const {
  std::string s;
  if (!node.name().empty()) {
    s = "node '" + node.name() + "'";
  } else {
    auto it = nodeIndex.find(&node);
    s = it == nodeIndex.end() ? std::string("unnamed node")
                              : "unnamed node #" + std::to_string(it->second);
  }
  s += " (" + node.op_type() + ", ";
  s += canonicalDomain(node.domain()).str() + " opset " + std::to_string(opset) + ")";
  return s;
}

void GraphImporter::error(const Twine &message) {
  std::string prefix =
      currentNode ? describeNode(*currentNode, currentOpset) + ": " : std::string();
  errors.push_back(prefix + message.str());
}

int64_t GraphImporter::opsetOf(StringRef domain) const {
  auto it = opsets.find(canonicalDomain(domain));
  return it == opsets.end() ? -1 : it->second;
}

LogicalResult GraphImporter::readOpsets(const onnx::ModelProto &model) {
  for (const auto &op : model.opset_import())
    opsets[canonicalDomain(op.domain())] = op.version();
  int64_t def = opsetOf("");
  if (def < 0) {
    // IR version 2 models without opset_import meant opset 1.
    error("the model's opset_import has no entry for the default domain (ai.onnx); "
          "ds supports ai.onnx opsets " +
          Twine(kMinSupportedOpset) + " to " + Twine(maxSupportedOpset()));
    return failure();
  }
  if (def < kMinSupportedOpset || def > maxSupportedOpset()) {
    error("the model uses ai.onnx opset " + Twine(def) + "; ds supports ai.onnx opsets " +
          Twine(kMinSupportedOpset) + " to " + Twine(maxSupportedOpset()));
    return failure();
  }
  return success();
}

LogicalResult GraphImporter::checkSupported(const onnx::GraphProto &graph) {
  // (op type, domain, opset) -> node names, in first-seen order.
  std::vector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  llvm::StringMap<size_t> indexOf;
  for (const auto &node : graph.node()) {
    int64_t opset = opsetOf(node.domain());
    std::string key = node.op_type() + " (domain " +
                      canonicalDomain(node.domain()).str() + ", opset " +
                      (opset < 0 ? std::string("not imported by the model")
                                 : std::to_string(opset)) +
                      ")";
    if (opset >= 0 && registry.lookup(node.domain(), node.op_type(), opset))
      continue;
    auto [it, inserted] = indexOf.try_emplace(key, unsupported.size());
    if (inserted)
      unsupported.push_back({key, {}});
    unsupported[it->second].second.push_back(
        node.name().empty() ? "#" + std::to_string(nodeIndex.lookup(&node))
                            : "'" + node.name() + "'");
  }
  if (unsupported.empty())
    return success();
  size_t total = 0;
  for (auto &entry : unsupported)
    total += entry.second.size();
  std::string msg = std::to_string(total) + " node" + (total == 1 ? "" : "s") +
                    " with unsupported ops:";
  for (auto &[key, names] : unsupported) {
    msg += "\n  " + key + ": ";
    for (size_t i = 0; i < names.size() && i < 8; ++i)
      msg += (i ? ", " : "") + names[i];
    if (names.size() > 8)
      msg += " and " + std::to_string(names.size() - 8) + " more";
  }
  error(msg);
  return failure();
}

FailureOr<SmallVector<int>> GraphImporter::sortNodes(const onnx::GraphProto &graph) {
  bool ok = true;
  // Who defines each name: a graph input, an initializer or a node (by index).
  llvm::StringMap<std::string> definedBy;
  llvm::StringSet<> available;
  for (const auto &in : graph.input()) {
    if (!available.insert(in.name()).second) {
      error("graph input '" + in.name() + "' is declared twice");
      ok = false;
    }
    definedBy[in.name()] = "graph input '" + in.name() + "'";
  }
  for (const auto &init : graph.initializer()) {
    // An initializer may share its name with a graph input (a default value).
    available.insert(init.name());
    definedBy.try_emplace(init.name(), "initializer '" + init.name() + "'");
  }
  llvm::StringMap<int> producer;
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    for (const auto &out : node.output()) {
      if (out.empty())
        continue;
      auto it = definedBy.find(out);
      if (it != definedBy.end()) {
        error("value '" + out + "' is produced by " + describeNode(node) +
              " but is already defined by " + it->second +
              " (duplicate value names are not allowed)");
        ok = false;
        continue;
      }
      definedBy[out] = describeNode(node);
      producer[out] = (int)i;
      producerOf[out] = &node;
    }
  }
  // Kahn's algorithm; a node waits for the producers of its inputs.
  int n = graph.node_size();
  SmallVector<int> pending(n, 0);
  SmallVector<SmallVector<int>> consumers(n);
  SmallVector<SmallVector<int>> producersOf(n);
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    for (const auto &in : node.input()) {
      if (in.empty() || available.contains(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        error(describeNode(node) + ": input '" + in +
              "' is not a graph input, an initializer or the output of any node "
              "(missing initializer?)");
        ok = false;
        continue;
      }
      ++pending[i];
      consumers[it->second].push_back(i);
      producersOf[i].push_back(it->second);
    }
  }
  if (!ok)
    return failure();
  SmallVector<int> order;
  std::deque<int> ready;
  for (int i = 0; i < n; ++i)
    if (!pending[i])
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int c : consumers[i])
      if (--pending[c] == 0)
        ready.push_back(c);
  }
  if ((int)order.size() == n)
    return order;
  // Every node left waits on another node left: walk producers until one repeats.
  int start = 0;
  while (!pending[start])
    ++start;
  SmallVector<int> path;
  DenseMap<int, size_t> onPath;
  int cur = start;
  while (!onPath.count(cur)) {
    onPath[cur] = path.size();
    path.push_back(cur);
    for (int p : producersOf[cur])
      if (pending[p]) {
        cur = p;
        break;
      }
  }
  // The cycle is path[onPath[cur]..]; print it in data-flow order.
  SmallVector<int> cycle(path.begin() + onPath[cur], path.end());
  std::reverse(cycle.begin(), cycle.end());
  std::string msg = "the graph has a cycle: ";
  for (int i : cycle)
    msg += describeNode(graph.node(i)) + " -> ";
  msg += describeNode(graph.node(cycle.front()));
  error(msg);
  return failure();
}

LogicalResult GraphImporter::checkInitializers(const onnx::GraphProto &graph) {
  bool ok = true;
  for (const auto &init : graph.initializer()) {
    if (!initializers.try_emplace(init.name(), &init).second) {
      error("initializer '" + init.name() + "' is defined twice");
      ok = false;
      continue;
    }
    auto src = locateTensor(init, "initializer '" + init.name() + "'");
    if (failed(src)) {
      ok = false;
      continue;
    }
    initializerSources[init.name()] = std::move(*src);
  }
  return success(ok);
}


LogicalResult GraphImporter::checkOutputType(const onnx::ValueInfoProto &out, Value v) {
  if (!out.type().has_tensor_type())
    return success();
  const auto &tt = out.type().tensor_type();
  auto actual = cast<RankedTensorType>(v.getType());
  std::string by = "is computed";
  if (const onnx::NodeProto *node = producerOf.lookup(out.name()))
    by = "is computed by " + describeNode(*node);
  else if (initializers.count(out.name()))
    by = "is initializer '" + out.name() + "'";
  else
    by = "is graph input '" + out.name() + "'";
  if (tt.elem_type() != 0) {
    Type expected = convertOnnxElementType(&ctx, tt.elem_type());
    if (expected != actual.getElementType()) {
      error("dtype mismatch: graph output '" + out.name() + "' is declared " +
            onnxTypeName(tt.elem_type()) + " but " + by + " as " +
            typeToString(actual));
      return failure();
    }
  }
  if (!tt.has_shape())
    return success();
  // Only static dims that both sides know can disagree.
  bool mismatch = tt.shape().dim_size() != actual.getRank();
  std::string declared;
  for (auto [i, dim] : llvm::enumerate(tt.shape().dim())) {
    declared += (i ? ", " : "");
    if (dim.has_dim_value()) {
      declared += std::to_string(dim.dim_value());
      if (!mismatch && !actual.isDynamicDim(i) && actual.getDimSize(i) != dim.dim_value())
        mismatch = true;
    } else {
      declared += dim.dim_param().empty() ? "?" : dim.dim_param();
    }
  }
  if (mismatch) {
    error("shape mismatch: graph output '" + out.name() + "' is declared with shape [" +
          declared + "] but " + by + " as " + typeToString(actual));
    return failure();
  }
  return success();
}

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &info,
                         SmallVectorImpl<Attribute> &dimNames) {
  const auto &type = info.type();
  if (!type.has_tensor_type()) {
    error("graph input '" + info.name() + "' is not a tensor (sequences, maps and "
          "optionals are not supported)");
    return failure();
  }
  const auto &tt = type.tensor_type();
  Type element = convertOnnxElementType(&ctx, tt.elem_type());
  if (!element) {
    error("graph input '" + info.name() + "' has unsupported element type " +
          onnxTypeName(tt.elem_type()) +
          " (ds supports FLOAT, FLOAT16, BFLOAT16, DOUBLE, FLOAT8E4M3FN, FLOAT8E5M2, "
          "INT4/8/16/32/64, UINT4/8/16/32/64 and BOOL)");
    return failure();
  }
  SmallVector<int64_t> shape;
  auto fixed = options.inputShapes.find(info.name());
  if (!tt.has_shape() && fixed == options.inputShapes.end()) {
    error("graph input '" + info.name() + "' has no shape (unknown rank); give it one "
          "with --input-shape=" + info.name() + ":D0xD1...");
    return failure();
  }
  for (const auto &dim : tt.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0) {
        error("graph input '" + info.name() + "' has a negative dim " +
              Twine(dim.dim_value()) + " (dim " + Twine(shape.size()) + ")");
        return failure();
      }
      shape.push_back(dim.dim_value());
      dimNames.push_back(StringAttr::get(&ctx, ""));
    } else {
      shape.push_back(ShapedType::kDynamic);
      dimNames.push_back(StringAttr::get(&ctx, dim.dim_param()));
    }
  }
  if (fixed != options.inputShapes.end()) {
    if (tt.has_shape() && fixed->second.size() != shape.size()) {
      error("--input-shape gives '" + info.name() + "' rank " +
            Twine(fixed->second.size()) + " but the model declares rank " +
            Twine(shape.size()));
      return failure();
    }
    dimNames.resize(fixed->second.size(), StringAttr::get(&ctx, ""));
    for (auto [i, d] : llvm::enumerate(fixed->second)) {
      if (i < shape.size() && !ShapedType::isDynamic(shape[i]) &&
          !ShapedType::isDynamic(d) && shape[i] != d) {
        error("--input-shape gives dim " + Twine(i) + " of '" + info.name() + "' as " +
              Twine(d) + " but the model fixes it to " + Twine(shape[i]));
        return failure();
      }
    }
    shape.assign(fixed->second.begin(), fixed->second.end());
  }
  int64_t count = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || d == 0)
      continue;
    if (count > (int64_t(1) << 48) / d) {
      std::string dims;
      for (auto [i, d] : llvm::enumerate(shape))
        dims += (i ? "x" : "") +
                (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
      error("graph input '" + info.name() + "' has shape " + dims +
            " whose static dims overflow (more than 2^48 elements)");
      return failure();
    }
    count *= d;
  }
  return RankedTensorType::get(shape, element);
}

OwningOpRef<ModuleOp> GraphImporter::import(const onnx::ModelProto &model) {
  if (!model.has_graph()) {
    error("the file holds no graph (empty or not an ONNX model)");
    return nullptr;
  }
  if (failed(readOpsets(model)))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  if (graph.sparse_initializer_size()) {
    error("sparse initializers are not supported (first: '" +
          graph.sparse_initializer(0).values().name() + "')");
    return nullptr;
  }
  for (auto [i, node] : llvm::enumerate(graph.node()))
    nodeIndex[&node] = (int)i;
  // Report every structural problem at once: bad initializers, unsupported ops, and
  // dangling, duplicate or cyclic values.
  bool graphOk = succeeded(checkInitializers(graph));
  graphOk &= succeeded(checkSupported(graph));
  auto order = sortNodes(graph);
  {
    llvm::StringSet<> inputNames;
    for (const auto &in : graph.input())
      inputNames.insert(in.name());
    for (const auto &entry : options.inputShapes) {
      if (inputNames.contains(entry.getKey()) && !initializers.count(entry.getKey()))
        continue;
      std::string names;
      for (const auto &in : graph.input())
        if (!initializers.count(in.name()))
          names += (names.empty() ? "'" : ", '") + in.name() + "'";
      error("--input-shape names '" + entry.getKey() +
            "', which is not a graph input of the model (inputs: " +
            (names.empty() ? std::string("none") : names) + ")");
      graphOk = false;
    }
  }
  if (!graphOk || failed(order))
    return nullptr;

  OpBuilder b(&ctx);
  Location fileLoc = FileLineColLoc::get(&ctx, modelPath, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  if (!model.producer_name().empty())
    (*module)->setAttr("ds.producer",
                       b.getStringAttr(model.producer_name() + " " +
                                       model.producer_version()));

  // Graph inputs that are not initializers become function arguments.
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initializers.count(in.name()))
      continue;
    SmallVector<Attribute> dimNames;
    auto type = inputType(in, dimNames);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
    argAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("ds.name", b.getStringAttr(in.name())),
         b.getNamedAttr("ds.dims", b.getArrayAttr(dimNames))}));
  }
  auto func = func::FuncOp::create(fileLoc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  module->push_back(func);
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttrs(i, argAttrs[i]);
    bind(name, entry->getArgument(i));
  }

  // Initializers are imported on first use, at the top of the function.
  OpBuilder constBuilder = OpBuilder::atBlockBegin(entry);
  b.setInsertionPointToEnd(entry);
  auto materializeInput = [&](StringRef name) -> LogicalResult {
    if (name.empty() || lookup(name))
      return success();
    auto it = initializers.find(name);
    if (it == initializers.end())
      return success(); // sortNodes has already reported it
    auto value = importSource(constBuilder, NameLoc::get(b.getStringAttr(name)),
                              *it->second, initializerSources[name]);
    if (failed(value))
      return failure();
    bind(name, *value);
    return success();
  };

  // Diagnostics from op verifiers and type inference become import errors.
  ScopedDiagnosticHandler diagnostics(&ctx, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    std::string text = diag.str();
    for (const Diagnostic &note : diag.getNotes())
      text += "\n  note: " + note.str();
    error(text);
    return success();
  });

  llvm::StringSet<> usedNames;
  for (const auto &n : graph.node())
    for (const auto &in : n.input())
      usedNames.insert(in);
  for (const auto &o : graph.output())
    usedNames.insert(o.name());

  for (int index : *order) {
    const onnx::NodeProto &node = graph.node(index);
    int64_t opset = opsetOf(node.domain());
    setCurrentNode(&node, opset);
    for (const auto &in : node.input())
      if (failed(materializeInput(in)))
        return nullptr;
    std::string locName = node.name().empty()
                              ? node.op_type() + "_" + std::to_string(index)
                              : node.name();
    Location loc = NameLoc::get(b.getStringAttr(locName));
    NodeContext nodeCtx(*this, node, opset, b, loc);
    const HandlerFn *handler = registry.lookup(node.domain(), node.op_type(), opset);
    if (failed((*handler)(nodeCtx)) || nodeCtx.failedAttributes()) {
      if (errors.empty())
        error("could not be imported");
      return nullptr;
    }
    for (const auto &out : node.output()) {
      if (out.empty() || lookup(out))
        continue;
      // An output the handler does not produce is an error only if it is used.
      if (usedNames.contains(out)) {
        error("output '" + out + "' is used but this import does not produce it");
        return nullptr;
      }
    }
  }
  setCurrentNode(nullptr, 0);

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const auto &out : graph.output()) {
    if (failed(materializeInput(out.name())))
      return nullptr;
    Value v = lookup(out.name());
    if (!v) {
      error("graph output '" + out.name() + "' is not produced by any node, input "
            "or initializer");
      return nullptr;
    }
    if (failed(checkOutputType(out, v)))
      return nullptr;
    results.push_back(v);
    // Symbolic output dims as the exporter named them ("batch", ...), for the manifest.
    SmallVector<Attribute> dimNames;
    if (out.type().has_tensor_type() && out.type().tensor_type().has_shape())
      for (const auto &dim : out.type().tensor_type().shape().dim())
        dimNames.push_back(b.getStringAttr(dim.dim_param()));
    resultAttrs.push_back(
        b.getDictionaryAttr({b.getNamedAttr("ds.name", b.getStringAttr(out.name())),
                             b.getNamedAttr("ds.dims", b.getArrayAttr(dimNames))}));
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, attrs] : llvm::enumerate(resultAttrs))
    func.setResultAttrs(i, attrs);

  // Folding during import leaves constants (and shape computations) nothing uses.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();

  if (failed(mlir::verify(*module)) || !errors.empty())
    return nullptr;
  return module;
}

std::string onnx_import::parseBindInputSpec(StringRef spec, ImportOptions &options) {
  auto [name, file] = spec.split('=');
  if (name.empty() || !file.consume_front("@") || file.empty())
    return "--bind-input expects NAME=@FILE.pb (a serialized ONNX TensorProto), got '" +
           spec.str() + "'";
  options.boundInputs[name] = file.str();
  return "";
}

/// Turns each bound graph input into an initializer holding the file's tensor, after
/// checking that the input exists and the tensor has its element type and rank.
static LogicalResult bindInputs(onnx::ModelProto &model, const ImportOptions &options,
                                std::vector<std::string> &errors) {
  if (options.boundInputs.empty() || !model.has_graph())
    return success(); // import() reports a missing graph
  bool ok = true;
  onnx::GraphProto *graph = model.mutable_graph();
  for (const auto &entry : options.boundInputs) {
    StringRef name = entry.getKey();
    StringRef file = entry.getValue();
    const onnx::ValueInfoProto *input = nullptr;
    for (const auto &in : graph->input())
      if (in.name() == name)
        input = &in;
    if (!input) {
      errors.push_back("--bind-input names '" + name.str() +
                       "', which is not a graph input of the model");
      ok = false;
      continue;
    }
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    onnx::TensorProto tensor;
    if (!buffer ||
        !tensor.ParseFromArray((*buffer)->getBufferStart(),
                               (int)(*buffer)->getBufferSize()) ||
        tensor.data_type() == onnx::TensorProto::UNDEFINED) {
      errors.push_back("--bind-input " + name.str() + ": '" + file.str() +
                       "' cannot be read as a serialized ONNX TensorProto");
      ok = false;
      continue;
    }
    const auto &declared = input->type().tensor_type();
    if (declared.elem_type() != tensor.data_type() ||
        (declared.has_shape() && declared.shape().dim_size() != tensor.dims_size())) {
      errors.push_back("--bind-input " + name.str() + ": the tensor in '" + file.str() +
                       "' is " + onnxTypeName(tensor.data_type()) + " of rank " +
                       std::to_string(tensor.dims_size()) + " but the input is " +
                       onnxTypeName(declared.elem_type()) + " of rank " +
                       std::to_string(declared.shape().dim_size()));
      ok = false;
      continue;
    }
    tensor.set_name(name.str());
    *graph->add_initializer() = std::move(tensor);
  }
  return success(ok);
}

OwningOpRef<ModuleOp> onnx_import::importOnnxFile(MLIRContext &context,
                                                  StringRef path,
                                                  const ImportOptions &options,
                                                  std::vector<std::string> &errors) {
  context.loadDialect<DsDialect, func::FuncDialect>();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    errors.push_back("cannot open '" + path.str() + "': " + buffer.getError().message());
    return nullptr;
  }
  if ((*buffer)->getBufferSize() == 0) {
    errors.push_back("'" + path.str() + "' is empty (0 bytes), not an ONNX model");
    return nullptr;
  }
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
      static_cast<int>(std::min<size_t>((*buffer)->getBufferSize(), INT_MAX)));
  stream.SetTotalBytesLimit(INT_MAX);
  if ((*buffer)->getBufferSize() > (size_t)INT_MAX ||
      !model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    errors.push_back("'" + path.str() +
                     "' is not a valid ONNX model: the protobuf does not parse "
                     "(truncated or corrupt file?)");
    return nullptr;
  }
  if (failed(bindInputs(model, options, errors)))
    return nullptr;
  GraphImporter importer(context, options, path.str(), errors);
  return importer.import(model);
}
