// The emulator's scheduler: fibers per block, barriers and warp collectives, shared-memory
// poisoning, and the grid launcher.
#include "emulate/Emulator.h"

#include <atomic>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <mutex>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <unordered_map>

// Fiber switches. On x86-64 a hand-written switch of the callee-saved registers (a few ns;
// swapcontext also saves the signal mask with a system call, ~0.5 us, which dominates
// barrier-heavy kernels); elsewhere ucontext.
#if defined(__x86_64__) && !defined(DS_EMU_USE_UCONTEXT)
#define DS_EMU_ASM_SWITCH 1
// void ds_emu_switch(void **save_sp, void *load_sp): saves rbp, rbx, r12-r15, the x87
// control word and MXCSR on the current stack, stores its pointer to *save_sp, then
// restores the same from load_sp and returns into that context.
asm(R"(
  .text
  .p2align 4
  .globl ds_emu_switch
  .hidden ds_emu_switch
  .type ds_emu_switch, @function
ds_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $16, %rsp
  fnstcw (%rsp)
  stmxcsr 8(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  fldcw (%rsp)
  ldmxcsr 8(%rsp)
  addq $16, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size ds_emu_switch, .-ds_emu_switch
)");
extern "C" void ds_emu_switch(void **saveSp, void *loadSp);
#else
#define DS_EMU_ASM_SWITCH 0
#endif

namespace ds::rt::emu {

namespace {

// Fiber stacks: kernels keep small arrays in registers on the GPU, on the stack here.
constexpr size_t kStackBytes = 256 * 1024;
constexpr uint32_t kMaxBlockThreads = 1024;
constexpr size_t kMaxSharedBytes = 227 * 1024;  // the largest opt-in size of sm_90

std::string dim3Text(uint32_t x, uint32_t y, uint32_t z) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z) + ")";
}

const char *collectiveName(int c) {
  switch (c) {
  case ds::emu::kShflIdx: return "shfl_idx";
  case ds::emu::kShflXor: return "shfl_xor";
  case ds::emu::kShflDown: return "shfl_down";
  case ds::emu::kShflUp: return "shfl_up";
  case ds::emu::kBallot: return "ballot";
  case ds::emu::kAny: return "any";
  case ds::emu::kAll: return "all";
  case ds::emu::kSyncWarp: return "sync_warp";
  case ds::emu::kMmaBf16: return "mma_m16n8k16_bf16";
  case ds::emu::kMmaF16: return "mma_m16n8k16_f16";
  default: return "an unknown warp collective";
  }
}

// A stack with a guard page below it, so an overflow faults instead of corrupting.
struct Stack {
  void *base = nullptr;
  size_t bytes = 0;
  Stack() {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    bytes = kStackBytes + page;
    base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
    if (base == MAP_FAILED) {
      base = nullptr;
      throw Error("emulator: out of memory allocating a fiber stack");
    }
    mprotect(base, page, PROT_NONE);
  }
  ~Stack() {
    if (base) munmap(base, bytes);
  }
  Stack(const Stack &) = delete;
  Stack &operator=(const Stack &) = delete;
};

enum class FiberState { Runnable, AtBarrier, AtWarp, Done };

struct Fiber {
  std::unique_ptr<Stack> stack;
#if DS_EMU_ASM_SWITCH
  void *sp = nullptr;
#else
  ucontext_t context;
#endif
  ds::emu::ThreadCtx ctx;
  FiberState state = FiberState::Runnable;
  // The pending warp collective.
  int collective = 0;
  const uint32_t *mine = nullptr;
  int words = 0;
  uint32_t *all = nullptr;
};

struct WarpState {
  uint32_t lanes = 0;    // threads the warp has (32 except a partial last warp)
  uint32_t waiting = 0;  // lanes at a collective
  uint32_t done = 0;     // lanes that returned
};

// Finds this OS thread's instance of a kernel object's thread-local block: the storage of
// every DS_SHARED array of its kernels.
struct TlsLookup {
  const void *anchor;
  void *data = nullptr;
  size_t size = 0;
};

int findTls(struct dl_phdr_info *info, size_t, void *arg) {
  auto *lookup = static_cast<TlsLookup *>(arg);
  bool contains = false;
  size_t tlsSize = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
      uintptr_t address = reinterpret_cast<uintptr_t>(lookup->anchor);
      if (address >= begin && address < begin + ph.p_memsz) contains = true;
    } else if (ph.p_type == PT_TLS) {
      tlsSize = ph.p_memsz;
    }
  }
  if (!contains) return 0;
  lookup->data = info->dlpi_tls_data;
  lookup->size = tlsSize;
  return 1;
}

class BlockRunner;
thread_local BlockRunner *tRunner = nullptr;

// Runs blocks, one at a time, on the calling OS thread.
class BlockRunner {
public:
  void runBlock(const KernelModule &module, KernelFn kernel, const LaunchConfig &config,
                const ds::KernelParams &params, uint32_t bx, uint32_t by, uint32_t bz);

  // Called on a fiber through the Api table.
  ds::emu::ThreadCtx *current() { return &fibers_[current_].ctx; }
  void syncBlock() {
    fibers_[current_].state = FiberState::AtBarrier;
    switchToScheduler();
  }
  void warpExchange(int collective, const uint32_t *mine, int words, uint32_t *all) {
    Fiber &f = fibers_[current_];
    f.state = FiberState::AtWarp;
    f.collective = collective;
    f.mine = mine;
    f.words = words;
    f.all = all;
    switchToScheduler();
  }
  void yield() { switchToScheduler(); }

private:
  static void fiberMain();
#if DS_EMU_ASM_SWITCH
  void switchToScheduler() { ds_emu_switch(&fibers_[current_].sp, schedulerSp_); }
  void resume(uint32_t index) { ds_emu_switch(&schedulerSp_, fibers_[index].sp); }
#else
  void switchToScheduler() { swapcontext(&fibers_[current_].context, &scheduler_); }
  void resume(uint32_t index) { swapcontext(&scheduler_, &fibers_[index].context); }
#endif
  void prepareFiber(Fiber &f);
  std::string threadText(const Fiber &f) const {
    return "thread " + dim3Text(f.ctx.thread_idx[0], f.ctx.thread_idx[1], f.ctx.thread_idx[2]);
  }
  [[noreturn]] void fail(const std::string &message) const;
  void afterSwitch(uint32_t index);
  void completeWarp(uint32_t warp);
  void poisonShared(const KernelModule &module, size_t dynamicBytes);

  std::vector<Fiber> fibers_;
  std::vector<WarpState> warps_;
#if DS_EMU_ASM_SWITCH
  void *schedulerSp_ = nullptr;
#else
  ucontext_t scheduler_;
#endif
  uint32_t current_ = 0;
  uint32_t threads_ = 0, done_ = 0, atBarrier_ = 0;
  KernelFn kernel_ = nullptr;
  const ds::KernelParams *params_ = nullptr;
  std::string blockText_;
  std::vector<unsigned char> dynamicShared_;
  std::unordered_map<uint64_t, TlsLookup> tls_;  // by KernelModule::serial
};

ds::emu::ThreadCtx *apiCurrent() { return tRunner->current(); }
void apiSyncBlock() { tRunner->syncBlock(); }
void apiWarpExchange(int collective, const uint32_t *mine, int words, uint32_t *all) {
  tRunner->warpExchange(collective, mine, words, all);
}
void apiYield() { tRunner->yield(); }

const ds::emu::Api kApi = {ds::emu::kAbiVersion, apiCurrent, apiSyncBlock, apiWarpExchange,
                           apiYield};

void BlockRunner::fiberMain() {
  BlockRunner *r = tRunner;
  r->kernel_(*r->params_);
  r->fibers_[r->current_].state = FiberState::Done;
  r->switchToScheduler();
  // Never resumed: the scheduler does not run a finished fiber.
}

// A fresh context that starts in fiberMain on the fiber's own stack.
void BlockRunner::prepareFiber(Fiber &f) {
  char *top = static_cast<char *>(f.stack->base) + f.stack->bytes;  // page aligned
#if DS_EMU_ASM_SWITCH
  // The frame ds_emu_switch pops: x87 control word and MXCSR (defaults), six callee-saved
  // registers, then fiberMain as the return address, entered with the stack aligned as
  // after a call (rsp = 8 mod 16).
  auto *frame = reinterpret_cast<uint64_t *>(top) - 10;
  frame[0] = 0x037f;                                     // x87 control word
  frame[1] = 0x1f80;                                     // MXCSR
  for (int i = 2; i < 8; ++i) frame[i] = 0;              // r15 r14 r13 r12 rbx rbp
  frame[8] = reinterpret_cast<uint64_t>(&fiberMain);     // return address
  frame[9] = 0;                                          // fiberMain's (absent) caller
  f.sp = frame;
#else
  getcontext(&f.context);
  f.context.uc_stack.ss_sp = top - kStackBytes;
  f.context.uc_stack.ss_size = kStackBytes;
  f.context.uc_link = nullptr;
  makecontext(&f.context, fiberMain, 0);
#endif
}

void BlockRunner::fail(const std::string &message) const {
  throw Error("block " + blockText_ + ": " + message);
}

void BlockRunner::poisonShared(const KernelModule &module, size_t dynamicBytes) {
  auto it = tls_.find(module.serial);
  if (it == tls_.end()) {
    TlsLookup lookup{reinterpret_cast<const void *>(module.tlsAnchor)};
    if (module.tlsAnchor) {
      module.tlsAnchor();  // allocates the block on this thread
      dl_iterate_phdr(findTls, &lookup);
    }
    it = tls_.emplace(module.serial, lookup).first;
  }
  if (it->second.data) std::memset(it->second.data, kSharedPoison, it->second.size);
  if (dynamicShared_.size() < dynamicBytes) dynamicShared_.resize(dynamicBytes);
  std::memset(dynamicShared_.data(), kSharedPoison, dynamicBytes);
}

void BlockRunner::completeWarp(uint32_t warp) {
  WarpState &w = warps_[warp];
  uint32_t base = warp * 32;
  const Fiber &first = fibers_[base];
  for (uint32_t lane = 0; lane < w.lanes; ++lane) {
    const Fiber &f = fibers_[base + lane];
    if (f.collective != first.collective || f.words != first.words)
      fail("the lanes of warp " + std::to_string(warp) + " are at different warp collectives: " +
           threadText(first) + " at " + collectiveName(first.collective) + ", " + threadText(f) +
           " at " + collectiveName(f.collective) +
           " (every lane must execute the same collective; divergent code around it)");
  }
  int words = first.words;
  for (uint32_t lane = 0; lane < w.lanes; ++lane) {
    Fiber &f = fibers_[base + lane];
    for (uint32_t src = 0; src < 32; ++src) {
      uint32_t *dst = f.all + src * words;
      if (src < w.lanes) std::memcpy(dst, fibers_[base + src].mine, sizeof(uint32_t) * words);
      else std::memset(dst, 0, sizeof(uint32_t) * words);
    }
  }
  for (uint32_t lane = 0; lane < w.lanes; ++lane) fibers_[base + lane].state = FiberState::Runnable;
  w.waiting = 0;
}

// Bookkeeping after fiber `index` switched back to the scheduler.
void BlockRunner::afterSwitch(uint32_t index) {
  Fiber &f = fibers_[index];
  WarpState &w = warps_[index / 32];
  switch (f.state) {
  case FiberState::Runnable:
    return;
  case FiberState::Done:
    ++done_;
    ++w.done;
    if (atBarrier_ > 0)
      fail(threadText(f) + " returned while " + std::to_string(atBarrier_) + " of " +
           std::to_string(threads_) +
           " threads wait at sync_block (a barrier must be reached by every thread of the "
           "block; CUDA leaves this undefined)");
    if (w.waiting > 0)
      fail(threadText(f) + " returned while " + std::to_string(w.waiting) + " lanes of warp " +
           std::to_string(index / 32) + " wait at a warp collective (every lane must reach it)");
    return;
  case FiberState::AtBarrier:
    if (done_ > 0) {
      for (uint32_t t = 0; t < threads_; ++t)
        if (const Fiber &other = fibers_[t]; other.state == FiberState::Done)
          fail(threadText(f) + " waits at sync_block but " + threadText(other) + " (and " +
               std::to_string(done_ - 1) +
               " more) already returned (a barrier must be reached by every thread of the "
               "block; CUDA leaves this undefined)");
    }
    if (++atBarrier_ == threads_) {
      for (uint32_t t = 0; t < threads_; ++t) fibers_[t].state = FiberState::Runnable;
      atBarrier_ = 0;
    }
    return;
  case FiberState::AtWarp:
    if (w.done > 0)
      fail(threadText(f) + " waits at " + collectiveName(f.collective) +
           " but a lane of its warp already returned (every lane must reach it)");
    if (++w.waiting == w.lanes) completeWarp(index / 32);
    return;
  }
}

void BlockRunner::runBlock(const KernelModule &module, KernelFn kernel, const LaunchConfig &config,
                           const ds::KernelParams &params, uint32_t bx, uint32_t by, uint32_t bz) {
  const Dim3 &bd = config.block;
  threads_ = static_cast<uint32_t>(bd.count());
  blockText_ = dim3Text(bx, by, bz);
  kernel_ = kernel;
  params_ = &params;
  done_ = atBarrier_ = 0;
  if (fibers_.size() < threads_) fibers_.resize(threads_);
  uint32_t nwarps = (threads_ + 31) / 32;
  warps_.assign(nwarps, WarpState{});
  for (uint32_t w = 0; w < nwarps; ++w) warps_[w].lanes = std::min<uint32_t>(32, threads_ - w * 32);
  poisonShared(module, config.sharedBytes);

  for (uint32_t t = 0; t < threads_; ++t) {
    Fiber &f = fibers_[t];
    if (!f.stack) f.stack = std::make_unique<Stack>();
    f.state = FiberState::Runnable;
    f.ctx = ds::emu::ThreadCtx{};
    f.ctx.thread_idx[0] = t % bd.x;
    f.ctx.thread_idx[1] = (t / bd.x) % bd.y;
    f.ctx.thread_idx[2] = t / (bd.x * bd.y);
    f.ctx.block_idx[0] = bx;
    f.ctx.block_idx[1] = by;
    f.ctx.block_idx[2] = bz;
    f.ctx.block_dim[0] = bd.x;
    f.ctx.block_dim[1] = bd.y;
    f.ctx.block_dim[2] = bd.z;
    f.ctx.grid_dim[0] = config.grid.x;
    f.ctx.grid_dim[1] = config.grid.y;
    f.ctx.grid_dim[2] = config.grid.z;
    f.ctx.linear = t;
    f.ctx.dynamic_shared = dynamicShared_.data();
    prepareFiber(f);
  }

  BlockRunner *outer = tRunner;
  tRunner = this;
  struct Restore {
    BlockRunner *outer;
    ~Restore() { tRunner = outer; }
  } restore{outer};

  // Round robin: a thread runs until it reaches a barrier, a collective or its end.
  uint32_t next = 0;
  while (done_ < threads_) {
    uint32_t tried = 0;
    while (tried < threads_ && fibers_[next].state != FiberState::Runnable) {
      next = (next + 1) % threads_;
      ++tried;
    }
    if (tried == threads_) {
      uint32_t atWarp = 0;
      for (uint32_t t = 0; t < threads_; ++t) atWarp += fibers_[t].state == FiberState::AtWarp;
      fail("deadlock: " + std::to_string(atBarrier_) + " threads wait at sync_block and " +
           std::to_string(atWarp) +
           " at warp collectives, none can proceed (a barrier or collective inside divergent "
           "code)");
    }
    current_ = next;
    resume(next);
    afterSwitch(next);
    next = (next + 1) % threads_;
  }
}

BlockRunner &threadRunner() {
  thread_local BlockRunner runner;
  return runner;
}

std::atomic<uint64_t> gModuleSerial{0};

}  // namespace

// ---- KernelModule ----------------------------------------------------------------------

std::shared_ptr<KernelModule> KernelModule::open(const std::string &path) {
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    throw Error("emulator: cannot load kernel object " + path + ": " + (why ? why : "unknown error"));
  }
  std::shared_ptr<KernelModule> m(new KernelModule());
  m->handle_ = handle;
  m->path_ = path;
  using BindFn = uint32_t (*)(const ds::emu::Api *);
  auto bind = reinterpret_cast<BindFn>(dlsym(handle, "ds_emu_bind"));
  m->tlsAnchor = reinterpret_cast<void *(*)()>(dlsym(handle, "ds_emu_tls_anchor"));
  if (!bind || !m->tlsAnchor)
    throw Error("emulator: " + path + " was not compiled against ds_emu.h (no ds_emu_bind)");
  uint32_t version = bind(&kApi);
  if (version != ds::emu::kAbiVersion)
    throw Error("emulator: " + path + " was built for emulator ABI " + std::to_string(version) +
                ", this runtime has " + std::to_string(ds::emu::kAbiVersion));
  m->serial = ++gModuleSerial;
  return m;
}

KernelModule::~KernelModule() {
  if (handle_) dlclose(handle_);
}

KernelFn KernelModule::find(const std::string &name) const {
  return reinterpret_cast<KernelFn>(dlsym(handle_, name.c_str()));
}

// ---- launch ----------------------------------------------------------------------------

void launch(const KernelModule &module, KernelFn kernel, const LaunchConfig &config,
            const ds::KernelParams &params, ThreadPool &pool, const std::string &label) {
  const Dim3 &g = config.grid, &b = config.block;
  if (!kernel) throw Error(label + ": no kernel to launch");
  if (b.x == 0 || b.y == 0 || b.z == 0 || b.count() > kMaxBlockThreads || b.z > 64)
    throw Error(label + ": invalid block " + dim3Text(b.x, b.y, b.z) + " (each dim >= 1, z <= 64, at most " +
                std::to_string(kMaxBlockThreads) + " threads)");
  if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535)
    throw Error(label + ": invalid grid " + dim3Text(g.x, g.y, g.z) +
                " (each dim >= 1, x < 2^31, y and z <= 65535)");
  if (config.sharedBytes > kMaxSharedBytes)
    throw Error(label + ": " + std::to_string(config.sharedBytes) +
                " bytes of dynamic shared memory exceed the device limit of " +
                std::to_string(kMaxSharedBytes));
  int64_t blocks = static_cast<int64_t>(g.count());
  std::mutex errorMutex;
  std::string firstError;
  std::atomic<bool> failed{false};
  pool.parallelFor(blocks, 1, [&](int64_t begin, int64_t end) {
    BlockRunner &runner = threadRunner();
    for (int64_t i = begin; i < end && !failed.load(std::memory_order_relaxed); ++i) {
      uint32_t bx = static_cast<uint32_t>(i % g.x);
      uint32_t by = static_cast<uint32_t>((i / g.x) % g.y);
      uint32_t bz = static_cast<uint32_t>(i / (int64_t(g.x) * g.y));
      try {
        runner.runBlock(module, kernel, config, params, bx, by, bz);
      } catch (const std::exception &e) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!failed.exchange(true)) firstError = e.what();
      }
    }
  });
  if (failed) throw Error(label + ": " + firstError);
}

}  // namespace ds::rt::emu
