#include "KernelEntry.h"

#include <cctype>

namespace ds::rt {

namespace {

using nlohmann::json;

int64_t integer(const json &j, const std::string &where) {
  if (!j.is_number_integer()) throw Error(where + " must be an integer, got " + j.dump());
  return j.get<int64_t>();
}

void parseDim3(const json &j, unsigned (&out)[3], int64_t maxEach, const std::string &where) {
  if (!j.is_array() || j.empty() || j.size() > 3)
    throw Error(where + " must be a list of 1 to 3 positive integers, got " + j.dump());
  for (size_t i = 0; i < 3; ++i) out[i] = 1;
  for (size_t i = 0; i < j.size(); ++i) {
    int64_t v = integer(j[i], where);
    if (v < 1 || v > maxEach)
      throw Error(where + "[" + std::to_string(i) + "] must be in [1, " + std::to_string(maxEach) +
                  "], got " + j.dump());
    out[i] = static_cast<unsigned>(v);
  }
}

int operandIndex(const json &j, int numOperands, const std::string &where) {
  int64_t v = integer(j, where);
  if (v < 0 || v >= numOperands)
    throw Error(where + " must be an operand index in [0, " + std::to_string(numOperands) +
                "), got " + std::to_string(v));
  return static_cast<int>(v);
}

}  // namespace

KernelEntry parseKernelEntry(const json &k, int numOperands, const std::string &where) {
  if (!k.is_object()) throw Error(where + " must be an object, got " + k.dump());
  KernelEntry e;
  e.present = true;
  auto str = [&](const char *key) {
    if (!k.contains(key) || !k[key].is_string() || k[key].get<std::string>().empty())
      throw Error(where + " needs a non-empty string '" + key + "'");
    return k[key].get<std::string>();
  };
  e.name = str("name");
  for (char c : e.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw Error(where + ": kernel name '" + e.name + "' is not a C identifier");
  e.source = str("source");
  if (e.source.find("..") != std::string::npos || e.source[0] == '/')
    throw Error(where + ": source '" + e.source + "' must be a path inside the bundle");
  if (numOperands > kKernelMaxOperands)
    throw Error(where + ": the step has " + std::to_string(numOperands) +
                " operands; a kernel takes at most " + std::to_string(kKernelMaxOperands));
  if (k.contains("scalars")) {
    const json &s = k["scalars"];
    if (!s.is_array() || s.size() > kKernelMaxScalars)
      throw Error(where + ".scalars must be a list of at most " +
                  std::to_string(kKernelMaxScalars) + " integers, got " + s.dump());
    for (const json &v : s) e.scalars.push_back(integer(v, where + ".scalars"));
  }
  if (!k.contains("launch") || !k["launch"].is_object())
    throw Error(where + " needs an object 'launch'");
  const json &l = k["launch"];
  std::string lw = where + ".launch";
  LaunchRule &r = e.launch;
  if (!l.contains("block")) throw Error(lw + " has no 'block'");
  parseDim3(l["block"], r.block, 1024, lw + ".block");
  if (uint64_t(r.block[0]) * r.block[1] * r.block[2] > 1024 || r.block[2] > 64)
    throw Error(lw + ".block " + l["block"].dump() +
                " exceeds a block's limits (1024 threads, z <= 64)");
  if (l.contains("shared_bytes")) {
    r.sharedBytes = integer(l["shared_bytes"], lw + ".shared_bytes");
    if (r.sharedBytes < 0 || r.sharedBytes > 227 * 1024)
      throw Error(lw + ".shared_bytes must be in [0, 232448], got " +
                  std::to_string(r.sharedBytes));
  }
  if (!l.contains("grid")) throw Error(lw + " has no 'grid'");
  const json &g = l["grid"];
  std::string gw = lw + ".grid";
  if (g.is_array()) {
    r.of = LaunchRule::Of::Fixed;
    parseDim3(g, r.fixed, 0x7fffffff, gw);
    if (r.fixed[1] > 65535 || r.fixed[2] > 65535)
      throw Error(gw + " " + g.dump() + ": y and z are at most 65535");
    return e;
  }
  if (!g.is_object()) throw Error(gw + " must be an object or a list, got " + g.dump());
  std::string of = g.value("of", std::string("numel"));
  if (of == "tiles") {
    r.of = LaunchRule::Of::Tiles;
    if (!g.contains("tiles") || !g["tiles"].is_array() || g["tiles"].empty())
      throw Error(gw + ": \"tiles\" needs a non-empty list 'tiles' of [operand, begin, end, per]");
    for (const json &t : g["tiles"]) {
      std::string tw = gw + ".tiles " + t.dump();
      if (!t.is_array() || t.size() != 4)
        throw Error(tw + " must be [operand, begin, end, per]");
      TileExtent x;
      x.operand = operandIndex(t[0], numOperands, tw + " operand");
      x.begin = static_cast<int>(integer(t[1], tw + " begin"));
      x.end = static_cast<int>(integer(t[2], tw + " end"));
      x.per = integer(t[3], tw + " per");
      if (x.begin < 0 || x.end < x.begin || x.per < 1)
        throw Error(tw + " needs 0 <= begin <= end and per >= 1");
      r.tiles.push_back(x);
    }
    return e;
  }
  if (of != "numel" && of != "rows")
    throw Error(gw + ".of must be \"numel\", \"rows\" or \"tiles\", got \"" + of + "\"");
  r.of = of == "rows" ? LaunchRule::Of::Rows : LaunchRule::Of::Numel;
  r.perBlock = g.contains("per_block") ? integer(g["per_block"], gw + ".per_block") : 1;
  if (r.perBlock < 1)
    throw Error(gw + ".per_block must be >= 1, got " + std::to_string(r.perBlock));
  r.operand = g.contains("operand") ? operandIndex(g["operand"], numOperands, gw + ".operand") : 0;
  if (r.of == LaunchRule::Of::Rows) {
    if (!g.contains("axis")) throw Error(gw + ": \"rows\" needs an 'axis'");
    r.axis = static_cast<int>(integer(g["axis"], gw + ".axis"));
  }
  return e;
}

GridSize gridFor(const LaunchRule &rule, const std::function<const Shape *(int)> &shapeOf,
                 const std::string &label) {
  if (rule.of == LaunchRule::Of::Fixed) return GridSize{rule.fixed[0], rule.fixed[1], rule.fixed[2]};
  auto shape = [&](int operand) -> const Shape & {
    const Shape *s = shapeOf(operand);
    if (!s)
      throw Error(label + ": the launch rule names operand " + std::to_string(operand) +
                  ", which is absent");
    return *s;
  };
  auto product = [&](int operand, int begin, int end) {
    const Shape &s = shape(operand);
    int rank = static_cast<int>(s.size());
    if (begin < 0 || end > rank || begin > end)
      throw Error(label + ": the launch rule's dims [" + std::to_string(begin) + ", " +
                  std::to_string(end) + ") are out of range for operand " +
                  std::to_string(operand) + " of rank " + std::to_string(rank));
    int64_t n = 1;
    for (int d = begin; d < end; ++d) n *= s[d];
    return n;
  };
  int64_t blocks = 1;
  const int64_t limit = 0x7fffffff;
  if (rule.of == LaunchRule::Of::Tiles) {
    for (const TileExtent &t : rule.tiles) {
      int64_t n = (product(t.operand, t.begin, t.end) + t.per - 1) / t.per;
      if (n == 0) return GridSize{0, 1, 1};
      if (blocks > limit / n) blocks = limit + 1;
      else blocks *= n;
    }
  } else {
    int64_t count;
    if (rule.of == LaunchRule::Of::Rows) {
      int rank = static_cast<int>(shape(rule.operand).size());
      int axis = rule.axis < 0 ? rule.axis + rank : rule.axis;
      count = product(rule.operand, 0, axis);
    } else {
      count = numElements(shape(rule.operand));
    }
    blocks = (count + rule.perBlock - 1) / rule.perBlock;
  }
  if (blocks > limit)
    throw Error(label + ": the launch needs more than 2^31 - 1 blocks, a grid's x limit");
  return GridSize{static_cast<unsigned>(blocks), 1, 1};
}

}  // namespace ds::rt
