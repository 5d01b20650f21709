// Runs a fuzz target without libFuzzer, so that every build (GCC's too) compiles the targets and
// ctest exercises them:
//   <target>                     mutates the target's seeds from a fixed seed (what ctest runs)
//   <target> --seed=N --runs=N   the same from another seed, or for longer
//   <target> FILE...             runs each file once (a failing input libFuzzer saved)
//   <target> --write-seeds DIR   writes the seeds as files: a starting corpus for libFuzzer
// When a check fails (abort) or the process crashes, the input is written to
// fuzz-failure-<target> in the working directory, to be replayed with the FILE form.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace {

// What the signal handler writes: set before each input (the handler may only read it).
const std::string* g_current = nullptr;
char g_failure_path[256] = "fuzz-failure";

void SaveAndDie(int sig) {
  if (g_current != nullptr) {
    const int fd = ::open(g_failure_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      const ssize_t written = ::write(fd, g_current->data(), g_current->size());
      (void)written;
      ::close(fd);
      static const char kNote[] = "replay: the failing input was written to ";
      (void)!::write(2, kNote, sizeof(kNote) - 1);
      (void)!::write(2, g_failure_path, std::strlen(g_failure_path));
      (void)!::write(2, "\n", 1);
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void Run(const std::string& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

// A few edits of the kinds libFuzzer makes: bit flips, byte changes, inserts, erases, copies of a
// stretch and cuts. Byte values near the edges (0, 1, 0x7f, 0x80, 0xff) come up often: they are
// the varint and length boundaries.
std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const unsigned char kEdges[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a};
  auto pick = [&rng](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  const int edits = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < edits; ++i) {
    const auto byte = static_cast<char>(rng() % 2 == 0 ? kEdges[pick(sizeof(kEdges))] : rng());
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = byte;
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), byte);
        break;
      case 3:
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(4));
        break;
      case 4:
        if (!s.empty() && s.size() < 4096) {
          const std::size_t from = pick(s.size());
          const std::string part = s.substr(from, 1 + pick(16));
          s.insert(pick(s.size() + 1), part);
        }
        break;
      default:
        s.resize(pick(s.size() + 1));
    }
  }
  return s;
}

int WriteSeeds(const char* dir) {
  const std::vector<std::string> seeds = switchboard_fuzz::Seeds();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const std::string path = std::string(dir) + "/seed-" + std::to_string(i);
    std::ofstream out(path, std::ios::binary);
    out << seeds[i];
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
  }
  std::printf("%zu seeds written to %s\n", seeds.size(), dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = argv[0];
  name = name.substr(name.find_last_of('/') + 1);
  std::snprintf(g_failure_path, sizeof(g_failure_path), "fuzz-failure-%s", name.c_str());
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, SaveAndDie);

  std::uint64_t seed = 20261128;
  long runs = 3000;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--write-seeds" && i + 1 < argc) return WriteSeeds(argv[i + 1]);
    if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else if (arg.rfind("--runs=", 0) == 0) {
      runs = std::strtol(arg.c_str() + 7, nullptr, 10);
    } else {
      files.push_back(arg);
    }
  }
  if (!files.empty()) {
    for (const std::string& path : files) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 1;
      }
      Run(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
    }
    std::printf("%zu input(s) replayed\n", files.size());
    return 0;
  }
  const std::vector<std::string> seeds = switchboard_fuzz::Seeds();
  std::printf("%s: %zu seeds, %ld mutated inputs from seed %llu\n", name.c_str(), seeds.size(),
              runs, static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  for (const std::string& s : seeds) Run(s);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) {
    std::string base = seeds.empty() ? std::string() : seeds[rng() % seeds.size()];
    Run(Mutate(std::move(base), rng));
  }
  std::printf("all inputs passed\n");
  return 0;
}
