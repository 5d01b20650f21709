// The two functions every fuzz target defines: libFuzzer's entry point, and valid inputs to start
// from (written out as a seed corpus, and mutated by the replay driver that ctest runs).
#ifndef SWITCHBOARD_FUZZ_FUZZ_TARGET_H_
#define SWITCHBOARD_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace switchboard_fuzz {
std::vector<std::string> Seeds();
}  // namespace switchboard_fuzz

#endif  // SWITCHBOARD_FUZZ_FUZZ_TARGET_H_
