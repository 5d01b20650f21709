// What a fuzz target reports when the library breaks a promise: the broken promise and the call,
// then abort(), which libFuzzer (and the replay driver) turn into a saved failing input.
#ifndef SWITCHBOARD_FUZZ_FUZZ_CHECK_H_
#define SWITCHBOARD_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"

namespace switchboard_fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what.c_str());
  std::abort();
}

// An error must say what was wrong: a status with an empty message is a broken promise too.
inline bool Explained(const absl::Status& s) { return s.ok() || !s.message().empty(); }

}  // namespace switchboard_fuzz

#define FUZZ_CHECK(cond, what)                                                    \
  do {                                                                            \
    if (!(cond)) ::switchboard_fuzz::Fail(__FILE__, __LINE__, std::string(what)); \
  } while (false)

#endif  // SWITCHBOARD_FUZZ_FUZZ_CHECK_H_
