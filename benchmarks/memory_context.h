// Records in each benchmark report how the heap was backed, since at 100,000 agents or a million
// customers transparent huge pages move the figures by up to 2x (benchmarks/RESULTS.md,
// "Transparent huge pages"): the kernel's THP mode and the GLIBC_TUNABLES the run was given.
#ifndef SWITCHBOARD_BENCHMARKS_MEMORY_CONTEXT_H_
#define SWITCHBOARD_BENCHMARKS_MEMORY_CONTEXT_H_

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace switchboard_bench {

// The selected mode of /sys/kernel/mm/transparent_hugepage/enabled ("always", "madvise",
// "never"), or "unknown" where the file is missing (not Linux, or THP not built in).
inline std::string TransparentHugePageMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return "unknown";
  const std::size_t open = line.find('[');
  const std::size_t close = line.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return "unknown";
  return line.substr(open + 1, close - open - 1);
}

inline void AddMemoryContext() {
  benchmark::AddCustomContext("thp_enabled", TransparentHugePageMode());
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  benchmark::AddCustomContext("glibc_tunables", tunables != nullptr ? tunables : "(unset)");
}

}  // namespace switchboard_bench

#endif  // SWITCHBOARD_BENCHMARKS_MEMORY_CONTEXT_H_
