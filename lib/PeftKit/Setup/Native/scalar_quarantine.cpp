// Delayed free for TorchSharp 0.107's native scalars (see ScalarQuarantine.cs for the why).
// TorchSharp's P/Invokes for LibTorchSharp are bound through this library: it defines THSTorch_dispose_scalar and
// lists libLibTorchSharp.so as a dependency, so dlsym on its handle finds this one definition here and every other
// THS* function in libLibTorchSharp.so. A disposed scalar is parked in a ring of kDelay slots and really freed only
// when kDelay later disposals have pushed it out, long after any native call that was still reading it returned.
#include <dlfcn.h>

#include <cstddef>
#include <mutex>

namespace {

constexpr std::size_t kDelay = std::size_t{1} << 16;  // parked scalars: at most 64 Ki × ~32 bytes
using DisposeScalar = void (*)(void*);

std::mutex gate;
void* ring[kDelay];
std::size_t next_slot = 0;  // the slot filled next; after the first lap it holds the oldest parked scalar

DisposeScalar RealDispose() {
    static const DisposeScalar real = [] {
        // By SONAME: the copy KitTorch already loaded (patched or not); RTLD_NOLOAD never loads a second one.
        void* library = dlopen("libLibTorchSharp.so", RTLD_LAZY | RTLD_NOLOAD);
        return library ? reinterpret_cast<DisposeScalar>(dlsym(library, "THSTorch_dispose_scalar")) : nullptr;
    }();
    return real;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) void THSTorch_dispose_scalar(void* scalar) {
    void* evicted;
    {
        std::lock_guard<std::mutex> lock(gate);
        evicted = ring[next_slot];
        ring[next_slot] = scalar;
        next_slot = (next_slot + 1) % kDelay;
    }
    if (evicted != nullptr) {
        if (DisposeScalar real = RealDispose()) real(evicted);
    }
}

// How many scalars are parked (for tests and `kit doctor`).
extern "C" __attribute__((visibility("default"))) std::size_t peftkit_parked_scalars() {
    std::lock_guard<std::mutex> lock(gate);
    std::size_t parked = 0;
    for (void* p : ring) parked += p != nullptr;
    return parked;
}
