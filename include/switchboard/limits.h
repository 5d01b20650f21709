// Size limits that every core type enforces in Validate(). They bound memory per object and keep
// one bad producer from exhausting a host, with one gap: the number of an agent's languages and
// teams is not bounded (each entry is, by kMaxNameLength). Values are part of the API contract:
// raising one is a compatible change, lowering one is not.
#ifndef SWITCHBOARD_LIMITS_H_
#define SWITCHBOARD_LIMITS_H_

#include <cstddef>

namespace switchboard {

inline constexpr std::size_t kMaxIdLength = 128;             // bytes in any id
inline constexpr std::size_t kMaxNameLength = 128;           // skill, team, site, language names
inline constexpr std::size_t kMaxAttributes = 64;            // entries in one attribute map
inline constexpr std::size_t kMaxAttributeKeyLength = 128;   // bytes
inline constexpr std::size_t kMaxAttributeValueLength = 4096;  // bytes
inline constexpr std::size_t kMaxIdentifiers = 32;           // identifiers on one contact/event
inline constexpr std::size_t kMaxIdentifierLength = 320;     // an e-mail address may be 320 bytes
inline constexpr std::size_t kMaxSkills = 256;               // skills on one agent or contact
inline constexpr std::size_t kMaxAgentQueues = 4096;         // queues one agent serves
inline constexpr std::size_t kMaxTextLength = 16384;         // notes, summaries, reasons
inline constexpr int kMinProficiency = 1;
inline constexpr int kMaxProficiency = 10;

}  // namespace switchboard

#endif  // SWITCHBOARD_LIMITS_H_
