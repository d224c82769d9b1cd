// Shim for TorchSharp 0.107's libLibTorchSharp.so on hosts whose libstdc++ predates GCC 13
// (Debian 12, Ubuntu 22.04). GCC 13's <iostream> makes every translation unit call
// std::ios_base_library_init()@GLIBCXX_3.4.32 to construct the standard streams; older
// libstdc++ constructs them through a static std::ios_base::Init instead and lacks the symbol.
// PeftKit marks that version requirement weak in a copy of libLibTorchSharp.so and loads this
// library (RTLD_GLOBAL) first, so the reference binds here. Built by NativeCompat with the system g++.
#include <ios>

namespace std {
void ios_base_library_init();

void ios_base_library_init() {
    // What GCC 13's libstdc++ does: make sure cout/cin/cerr/clog exist before first use.
    static ios_base::Init init;
}
}  // namespace std
