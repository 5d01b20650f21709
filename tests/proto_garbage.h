// Hostile wire input for tests: fills any protobuf message, through reflection, with values
// chosen to break a reader (unknown enum numbers, the extremes of every integer type, NaN and
// infinities, empty, over-long, NUL-carrying and non-UTF-8 strings, deep and repeated
// sub-messages), or damages a few fields of a valid message. Reflection keeps it in step with
// the schema: a field added later is attacked without anyone editing this file.
#ifndef SWITCHBOARD_TESTS_PROTO_GARBAGE_H_
#define SWITCHBOARD_TESTS_PROTO_GARBAGE_H_

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace switchboard::testing {

// Deterministic for a seed. Not thread-safe: one generator per test.
class ProtoGarbage {
 public:
  explicit ProtoGarbage(std::uint64_t seed) : rng_(seed) {}

  // Sets each field of `m` (recursively, to `max_depth` levels) with probability 3/4.
  void Fill(google::protobuf::Message* m, int max_depth = 3) {
    const google::protobuf::Descriptor* d = m->GetDescriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      if (Below(4) == 0) continue;
      SetField(m, d->field(i), max_depth);
    }
  }

  // Overwrites 1 to 3 fields of `m`, anywhere in its tree (a mostly valid message with a few bad
  // values: what reaches each field's own check).
  void Damage(google::protobuf::Message* m) {
    const int n = 1 + static_cast<int>(Below(3));
    for (int k = 0; k < n; ++k) DamageOne(m, 3);
  }

  // Random bytes, sometimes a valid encoding with a few bytes changed.
  std::string Bytes(const std::string& valid) {
    std::string out = valid;
    if (out.empty() || Below(3) == 0) {
      out.resize(Below(64));
      for (char& c : out) c = static_cast<char>(Below(256));
      return out;
    }
    const int flips = 1 + static_cast<int>(Below(4));
    for (int k = 0; k < flips; ++k) out[Below(out.size())] = static_cast<char>(Below(256));
    return out;
  }

  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // One string from the hostile pool (also for tests that build C++ objects directly).
  std::string HostileText() {
    switch (Below(12)) {
      case 0: return "";
      case 1: return std::string(1 + Below(3), ' ');
      case 2: return std::string("a\0b", 3);
      case 3: return "\xff\xfe";                          // not UTF-8
      case 4: return "\xc3";                              // truncated sequence
      case 5: return std::string(200 + Below(400), 'x');  // past name and id limits
      case 6: return std::string(70000, 'y');             // past any text limit
      case 7: return "+14155550100";
      case 8: return "Ana@Example.com";
      case 9: return "caf\xc3\xa9";
      default: {
        std::string s(1 + Below(12), 'a');
        for (char& c : s) c = static_cast<char>('a' + Below(26));
        return s;
      }
    }
  }

 private:
  using FD = google::protobuf::FieldDescriptor;

  void DamageOne(google::protobuf::Message* m, int depth) {
    const google::protobuf::Descriptor* d = m->GetDescriptor();
    if (d->field_count() == 0) return;
    const FD* f = d->field(static_cast<int>(Below(static_cast<std::uint64_t>(d->field_count()))));
    const google::protobuf::Reflection* r = m->GetReflection();
    // Descend into a present sub-message half the time, so that nested fields are reached.
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE && depth > 0 && Below(2) == 0) {
      if (f->is_repeated() && r->FieldSize(*m, f) > 0) {
        const int i = static_cast<int>(Below(static_cast<std::uint64_t>(r->FieldSize(*m, f))));
        DamageOne(r->MutableRepeatedMessage(m, f, i), depth - 1);
        return;
      }
      if (!f->is_repeated() && r->HasField(*m, f)) {
        DamageOne(r->MutableMessage(m, f), depth - 1);
        return;
      }
    }
    r->ClearField(m, f);
    if (Below(5) != 0) SetField(m, f, depth);  // else: left missing
  }

  void SetField(google::protobuf::Message* m, const FD* f, int depth) {
    const google::protobuf::Reflection* r = m->GetReflection();
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE && depth <= 0) return;
    if (!f->is_repeated()) {
      SetOne(m, r, f, depth);
      return;
    }
    // Mostly short lists; now and then one past any sane limit.
    const std::uint64_t n = Below(8) == 0 ? 33 + Below(8) : Below(4);
    for (std::uint64_t k = 0; k < n; ++k) AddOne(m, r, f, depth);
  }

  void SetOne(google::protobuf::Message* m, const google::protobuf::Reflection* r, const FD* f,
              int depth) {
    switch (f->cpp_type()) {
      case FD::CPPTYPE_INT32: r->SetInt32(m, f, Int<std::int32_t>()); break;
      case FD::CPPTYPE_INT64: r->SetInt64(m, f, Int<std::int64_t>()); break;
      case FD::CPPTYPE_UINT32: r->SetUInt32(m, f, Int<std::uint32_t>()); break;
      case FD::CPPTYPE_UINT64: r->SetUInt64(m, f, Int<std::uint64_t>()); break;
      case FD::CPPTYPE_DOUBLE: r->SetDouble(m, f, Real()); break;
      case FD::CPPTYPE_FLOAT: r->SetFloat(m, f, static_cast<float>(Real())); break;
      case FD::CPPTYPE_BOOL: r->SetBool(m, f, Below(2) == 1); break;
      case FD::CPPTYPE_ENUM: r->SetEnumValue(m, f, EnumNumber(f)); break;
      case FD::CPPTYPE_STRING: r->SetString(m, f, HostileText()); break;
      case FD::CPPTYPE_MESSAGE: Fill(r->MutableMessage(m, f), depth - 1); break;
    }
  }

  void AddOne(google::protobuf::Message* m, const google::protobuf::Reflection* r, const FD* f,
              int depth) {
    switch (f->cpp_type()) {
      case FD::CPPTYPE_INT32: r->AddInt32(m, f, Int<std::int32_t>()); break;
      case FD::CPPTYPE_INT64: r->AddInt64(m, f, Int<std::int64_t>()); break;
      case FD::CPPTYPE_UINT32: r->AddUInt32(m, f, Int<std::uint32_t>()); break;
      case FD::CPPTYPE_UINT64: r->AddUInt64(m, f, Int<std::uint64_t>()); break;
      case FD::CPPTYPE_DOUBLE: r->AddDouble(m, f, Real()); break;
      case FD::CPPTYPE_FLOAT: r->AddFloat(m, f, static_cast<float>(Real())); break;
      case FD::CPPTYPE_BOOL: r->AddBool(m, f, Below(2) == 1); break;
      case FD::CPPTYPE_ENUM: r->AddEnumValue(m, f, EnumNumber(f)); break;
      case FD::CPPTYPE_STRING: r->AddString(m, f, HostileText()); break;
      case FD::CPPTYPE_MESSAGE: Fill(r->AddMessage(m, f), depth - 1); break;
    }
  }

  template <typename T>
  T Int() {
    switch (Below(8)) {
      case 0: return 0;
      case 1: return 1;
      case 2: return std::numeric_limits<T>::max();
      case 3: return std::numeric_limits<T>::min();
      case 4: return static_cast<T>(-1);
      case 5: return static_cast<T>(rng_());
      default: return static_cast<T>(Below(200));  // small: inside most ranges
    }
  }

  double Real() {
    switch (Below(9)) {
      case 0: return 0.0;
      case 1: return -1.0;
      case 2: return 1.5;
      case 3: return std::numeric_limits<double>::quiet_NaN();
      case 4: return std::numeric_limits<double>::infinity();
      case 5: return -std::numeric_limits<double>::infinity();
      case 6: return std::numeric_limits<double>::max();
      default: return static_cast<double>(Below(1001)) / 1000.0;  // in [0, 1]
    }
  }

  int EnumNumber(const FD* f) {
    const google::protobuf::EnumDescriptor* e = f->enum_type();
    switch (Below(6)) {
      case 0: return 0;  // UNSPECIFIED
      case 1: return -1;
      case 2: return e->value(e->value_count() - 1)->number() + 1 + static_cast<int>(Below(50));
      case 3: return std::numeric_limits<int>::max();
      default: {
        const auto count = static_cast<std::uint64_t>(e->value_count());
        return e->value(static_cast<int>(Below(count)))->number();
      }
    }
  }

  std::mt19937_64 rng_;
};

}  // namespace switchboard::testing

#endif  // SWITCHBOARD_TESTS_PROTO_GARBAGE_H_
