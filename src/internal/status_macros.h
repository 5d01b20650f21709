// Private helpers for early return on error (Debian's Abseil 20220623 has no status_macros.h).
#ifndef SWITCHBOARD_SRC_INTERNAL_STATUS_MACROS_H_
#define SWITCHBOARD_SRC_INTERNAL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SB_CONCAT_INNER_(a, b) a##b
#define SB_CONCAT_(a, b) SB_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define SB_RETURN_IF_ERROR(expr)                         \
  do {                                                   \
    ::absl::Status sb_status_ = (expr);                  \
    if (!sb_status_.ok()) return sb_status_;             \
  } while (false)

// `lhs = *expr` when `expr` (a StatusOr) is OK, else returns its status.
#define SB_ASSIGN_OR_RETURN(lhs, expr) \
  SB_ASSIGN_OR_RETURN_IMPL_(SB_CONCAT_(sb_statusor_, __LINE__), lhs, expr)
#define SB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(*tmp)

#endif  // SWITCHBOARD_SRC_INTERNAL_STATUS_MACROS_H_
