// Exact live heap bytes of a program, by replacing the global operator new and delete: each
// block carries its size in a header. For tests and benchmarks that check memory figures
// deterministically. Include it in exactly ONE source file of a program (the replacements are
// definitions). Thread-safe (an atomic counter).
#ifndef SWITCHBOARD_TESTS_LIVE_HEAP_BYTES_H_
#define SWITCHBOARD_TESTS_LIVE_HEAP_BYTES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

// GCC cannot see that the operators below replace the global ones, flags free() of "new"
// memory, and reads the size header in front of a block as out of its bounds. The nothrow forms
// are replaced too: a sanitizer's own would not write the header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif

namespace switchboard_testing {

inline std::atomic<std::int64_t> live_heap_bytes{0};
inline constexpr std::size_t kHeapHeader = 16;  // keeps the returned pointer 16-byte aligned

// Bytes allocated through operator new and not yet freed.
inline std::int64_t LiveHeapBytes() { return live_heap_bytes.load(std::memory_order_relaxed); }

inline void* CountedAlloc(std::size_t size) noexcept {
  void* p = std::malloc(size + kHeapHeader);
  if (p == nullptr) return nullptr;
  *static_cast<std::size_t*>(p) = size;
  live_heap_bytes.fetch_add(static_cast<std::int64_t>(size), std::memory_order_relaxed);
  return static_cast<char*>(p) + kHeapHeader;
}

inline void CountedFree(void* p) noexcept {
  if (p == nullptr) return;
  char* base = static_cast<char*>(p) - kHeapHeader;
  live_heap_bytes.fetch_sub(static_cast<std::int64_t>(*reinterpret_cast<std::size_t*>(base)),
                            std::memory_order_relaxed);
  std::free(base);
}

}  // namespace switchboard_testing

void* operator new(std::size_t size) {
  void* p = switchboard_testing::CountedAlloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return switchboard_testing::CountedAlloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return switchboard_testing::CountedAlloc(size);
}
void operator delete(void* p) noexcept { switchboard_testing::CountedFree(p); }
void operator delete[](void* p) noexcept { switchboard_testing::CountedFree(p); }
void operator delete(void* p, std::size_t) noexcept { switchboard_testing::CountedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { switchboard_testing::CountedFree(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept {
  switchboard_testing::CountedFree(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  switchboard_testing::CountedFree(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif  // SWITCHBOARD_TESTS_LIVE_HEAP_BYTES_H_
