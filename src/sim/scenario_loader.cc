// Scenario files: protobuf text or JSON against proto/switchboard/v1/scenario.proto, converted
// to sim::Scenario. Proto defaults (0, "") become the documented defaults here; any other value,
// a negative one included, is kept for Validate() to judge (a typo must not pass for a default).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include "src/internal/status_macros.h"
#include "src/internal/str_cat.h"
#include "src/sim/input_file.h"
#include "switchboard/sim/scenario.h"
#include "switchboard/v1/scenario.pb.h"

namespace switchboard::sim {
namespace {

namespace pb = ::switchboard::v1;

absl::StatusOr<Channel> ToChannel(const std::string& name, std::string_view field) {
  absl::StatusOr<Channel> c = ParseChannel(name);
  if (!c.ok()) {
    return absl::InvalidArgumentError(internal::StrCat("scenario ", field, ": unknown channel '",
                                                       internal::Printable(name), "'"));
  }
  return *c;
}

// Proto3 enums are open: `kind: 99` parses, and must not read as KIND_NONE (for a patience,
// silently "never hangs up").
absl::StatusOr<Distribution> ToDistribution(const pb::SimDistribution& d, std::string_view field) {
  Distribution out;
  switch (d.kind()) {
    case pb::SimDistribution::KIND_UNSPECIFIED:
    case pb::SimDistribution::KIND_NONE:
      out.kind = Distribution::Kind::kNone;
      break;
    case pb::SimDistribution::KIND_CONSTANT:
      out.kind = Distribution::Kind::kConstant;
      break;
    case pb::SimDistribution::KIND_EXPONENTIAL:
      out.kind = Distribution::Kind::kExponential;
      break;
    case pb::SimDistribution::KIND_LOGNORMAL:
      out.kind = Distribution::Kind::kLogNormal;
      break;
    case pb::SimDistribution::KIND_EMPIRICAL:
      out.kind = Distribution::Kind::kEmpirical;
      break;
    default:
      return absl::InvalidArgumentError(internal::StrCat(
          "scenario ", field, ": kind ", static_cast<int>(d.kind()), " is not a known KIND_"));
  }
  out.mean_s = d.mean_s();
  out.stddev_s = d.stddev_s();
  out.samples_s.assign(d.samples_s().begin(), d.samples_s().end());
  return out;
}

std::vector<SkillRequirement> ToRequirements(
    const google::protobuf::RepeatedPtrField<pb::SkillRequirement>& in) {
  std::vector<SkillRequirement> out;
  for (const pb::SkillRequirement& r : in) {
    out.push_back({r.name(), r.min_proficiency() == 0 ? 1 : r.min_proficiency(), r.required()});
  }
  return out;
}

absl::Duration Seconds(double s) { return absl::Seconds(s); }

absl::StatusOr<Queue> ToQueue(const pb::SimQueue& q) {
  Queue out;
  out.id = QueueId(q.id());
  out.name = q.id();
  for (const std::string& c : q.channels()) {
    SB_ASSIGN_OR_RETURN(
        Channel channel,
        ToChannel(c, internal::StrCat("queue '", internal::Printable(q.id()), "'")));
    out.channels.push_back(channel);
  }
  if (out.channels.empty()) out.channels.push_back(Channel::kVoice);
  out.required_skills = ToRequirements(q.required_skills());
  out.priority = q.priority() == 0 ? 1 : q.priority();
  if (q.service_level_fraction() != 0) out.service_level.fraction = q.service_level_fraction();
  if (q.service_level_threshold_s() != 0) {
    out.service_level.threshold = Seconds(q.service_level_threshold_s());
  }
  out.wrap_up = Seconds(q.wrap_up_s());
  if (q.offer_timeout_s() != 0) out.offer_timeout = Seconds(q.offer_timeout_s());
  out.max_waiting = q.max_waiting();
  return out;
}

absl::StatusOr<AgentGroup> ToGroup(const pb::SimAgentGroup& g) {
  AgentGroup out;
  out.name = g.name();
  out.count = g.count();
  const std::string field = internal::StrCat("agent group '", internal::Printable(g.name()), "'");
  for (const pb::Skill& s : g.skills()) out.profile.skills.push_back({s.name(), s.proficiency()});
  for (const pb::SimChannelCapacity& c : g.capacities()) {
    SB_ASSIGN_OR_RETURN(Channel channel, ToChannel(c.channel(), field));
    ChannelCapacity capacity = DefaultCapacity(channel);
    if (c.max_concurrent() != 0) capacity.max_concurrent = c.max_concurrent();
    if (c.cost_units() != 0) capacity.cost_units = c.cost_units();
    out.profile.capacities.push_back(capacity);
  }
  if (out.profile.capacities.empty()) {
    out.profile.capacities.push_back(DefaultCapacity(Channel::kVoice));
  }
  if (g.capacity_units() != 0) out.profile.capacity_units = g.capacity_units();
  out.profile.allow_blending = g.allow_blending();
  for (const pb::SimMembership& m : g.queues()) {
    out.profile.queues.push_back(
        {QueueId(m.queue()), m.priority() == 0 ? 1 : m.priority(), Seconds(m.delay_s())});
  }
  out.profile.languages.assign(g.languages().begin(), g.languages().end());
  for (const pb::SimShift& s : g.shifts()) out.shifts.push_back({s.start_s(), s.end_s()});
  out.decline_probability = g.decline_probability();
  out.miss_probability = g.miss_probability();
  out.answer_delay_s = g.answer_delay_s();
  if (g.no_answer_away_s() != 0) out.no_answer_away_s = g.no_answer_away_s();
  return out;
}

absl::StatusOr<ContactType> ToContactType(const pb::SimContactType& t) {
  ContactType out;
  out.name = t.name();
  out.queue = QueueId(t.queue());
  if (!t.channel().empty()) {
    SB_ASSIGN_OR_RETURN(
        out.channel, ToChannel(t.channel(), internal::StrCat("contact type '",
                                                             internal::Printable(t.name()), "'")));
  }
  out.required_skills = ToRequirements(t.required_skills());
  out.priority = t.priority();
  out.language = t.language();
  out.rate_per_hour = t.rate_per_hour();
  out.rates_per_hour.assign(t.rates_per_hour().begin(), t.rates_per_hour().end());
  const std::string field = internal::StrCat("contact type '", internal::Printable(t.name()), "'");
  SB_ASSIGN_OR_RETURN(out.service, ToDistribution(t.service(), field + " service"));
  SB_ASSIGN_OR_RETURN(out.patience, ToDistribution(t.patience(), field + " patience"));
  if (t.has_resolution_probability()) out.resolution_probability = t.resolution_probability();
  out.transfer_probability = t.transfer_probability();
  out.transfer_queue = QueueId(t.transfer_queue());
  return out;
}

std::string SharedDataDir(std::string_view base_dir, const LoadOptions& options) {
  if (!options.shared_data_dir.empty()) return options.shared_data_dir;
  if (const char* env = std::getenv("SWITCHBOARD_SHARED_DATA"); env != nullptr && *env != 0) {
    return env;
  }
  return internal::StrCat(base_dir.empty() ? "." : base_dir, "/../../../shared/data");
}

constexpr std::string_view kSharedDataVar = "$SWITCHBOARD_SHARED_DATA";

// The variable only as a whole first component: "$SWITCHBOARD_SHARED_DATA2/x" is an ordinary
// relative path, not the shared folder followed by "2".
bool UsesSharedData(const std::string& path) {
  return path.rfind(kSharedDataVar, 0) == 0 &&
         (path.size() == kSharedDataVar.size() || path[kSharedDataVar.size()] == '/');
}

// Whether $SWITCHBOARD_SHARED_DATA fell back to the folder next to the scenario.
bool SharedDataDefaulted(const LoadOptions& options) {
  const char* env = std::getenv("SWITCHBOARD_SHARED_DATA");
  return options.shared_data_dir.empty() && (env == nullptr || *env == 0);
}

std::string ResolvePath(const std::string& path, std::string_view base_dir,
                        const LoadOptions& options) {
  if (UsesSharedData(path)) {
    return internal::StrCat(SharedDataDir(base_dir, options), path.substr(kSharedDataVar.size()));
  }
  if (!path.empty() && path.front() == '/') return path;
  return internal::StrCat(base_dir.empty() ? "." : base_dir, "/", path);
}

// A trace file under $SWITCHBOARD_SHARED_DATA that is missing because the variable fell back to
// its default says so: the likely fix is to set one of them.
absl::Status WithSharedDataHint(const absl::Status& status, const std::string& path,
                                const LoadOptions& options) {
  if (!absl::IsNotFound(status) || !UsesSharedData(path) || !SharedDataDefaulted(options)) {
    return status;
  }
  return absl::NotFoundError(internal::StrCat(
      status.message(), " (", kSharedDataVar,
      " stood for <scenario folder>/../../../shared/data: neither --shared-data "
      "(LoadOptions::shared_data_dir) nor the environment variable SWITCHBOARD_SHARED_DATA is "
      "set)"));
}

// Proto3 enums are open: text format takes `format: 99`, which must not read as CSV.
absl::StatusOr<TraceSpec::Format> ToFormat(pb::SimTrace::Format format) {
  switch (format) {
    case pb::SimTrace::FORMAT_UNSPECIFIED:
    case pb::SimTrace::FORMAT_CSV:
      return TraceSpec::Format::kCsv;
    case pb::SimTrace::FORMAT_TSV:
      return TraceSpec::Format::kTsv;
    case pb::SimTrace::FORMAT_ANONYMOUS_BANK:
      return TraceSpec::Format::kAnonymousBank;
    default:
      return absl::InvalidArgumentError(
          internal::StrCat("scenario trace: format ", static_cast<int>(format),
                           " is not FORMAT_CSV, FORMAT_TSV or FORMAT_ANONYMOUS_BANK"));
  }
}

absl::Status LoadTrace(const pb::SimTrace& t, std::string_view base_dir,
                       const LoadOptions& options, TraceSpec& out) {
  // An empty path would resolve to the scenario's folder.
  if (t.path().empty()) return absl::InvalidArgumentError("scenario trace: path is empty");
  out.path = ResolvePath(t.path(), base_dir, options);
  SB_ASSIGN_OR_RETURN(out.format, ToFormat(t.format()));
  out.date = t.date();
  for (const auto& [from, to] : t.type_map()) out.type_map[from] = to;
  out.default_contact_type = t.default_contact_type();
  out.trace_patience = !t.has_trace_patience() || t.trace_patience();
  out.trace_service = !t.has_trace_service() || t.trace_service();
  if (!options.read_trace) return absl::OkStatus();
  absl::StatusOr<std::vector<TraceRecord>> records;
  if (out.format == TraceSpec::Format::kAnonymousBank) {
    records = ReadAnonymousBank(out.path, out.date);
  } else {
    records = ReadTrace(out.path, out.format == TraceSpec::Format::kTsv ? '\t' : ',');
  }
  if (!records.ok()) return WithSharedDataHint(records.status(), t.path(), options);
  out.records = std::move(*records);
  return absl::OkStatus();
}

absl::StatusOr<Scenario> FromProto(const pb::Scenario& p, std::string_view base_dir,
                                   const LoadOptions& options) {
  Scenario s;
  s.name = p.name();
  s.description = p.description();
  s.duration_s = p.duration_s();
  if (p.interval_s() != 0) s.interval_s = p.interval_s();
  s.warmup_s = p.warmup_s();
  for (const pb::SimQueue& q : p.queues()) {
    SB_ASSIGN_OR_RETURN(Queue queue, ToQueue(q));
    s.queues.push_back(std::move(queue));
  }
  for (const pb::SimAgentGroup& g : p.agent_groups()) {
    SB_ASSIGN_OR_RETURN(AgentGroup group, ToGroup(g));
    s.agent_groups.push_back(std::move(group));
  }
  for (const pb::SimContactType& t : p.contact_types()) {
    SB_ASSIGN_OR_RETURN(ContactType type, ToContactType(t));
    s.contact_types.push_back(std::move(type));
  }
  if (p.has_trace()) {
    TraceSpec trace;
    SB_RETURN_IF_ERROR(LoadTrace(p.trace(), base_dir, options, trace));
    s.trace = std::move(trace);
  }
  const pb::SimReturns& r = p.returns();
  s.returns.enabled = r.enabled();
  if (r.has_delay()) {
    SB_ASSIGN_OR_RETURN(s.returns.delay, ToDistribution(r.delay(), "returns delay"));
  }
  if (r.max_attempts() != 0) s.returns.max_attempts = r.max_attempts();
  s.returns.journeys = r.journeys();
  if (r.context_handle_time_factor() != 0) {
    s.returns.context_handle_time_factor = r.context_handle_time_factor();
  }
  if (r.has_context_resolution_probability()) {
    s.returns.context_resolution_probability = r.context_resolution_probability();
  }
  if (r.no_context_handle_time_factor() != 0) {
    s.returns.no_context_handle_time_factor = r.no_context_handle_time_factor();
  }
  if (!p.strategies().empty()) s.strategies.assign(p.strategies().begin(), p.strategies().end());
  if (p.replications() != 0) s.replications = p.replications();
  if (p.seed() != 0) s.seed = p.seed();
  s.missed_offers_before_away = p.missed_offers_before_away();
  if (p.start_unix_s() != 0) s.start = absl::FromUnixSeconds(p.start_unix_s());
  SB_RETURN_IF_ERROR(s.Validate());
  return s;
}

// Keeps the first parse error (with its line and column) instead of protobuf's log line.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) error_ = internal::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// The whole file (a directory would read as empty text, a scenario without duration_s).
absl::StatusOr<std::string> ReadScenarioFile(const std::string& path) {
  SB_ASSIGN_OR_RETURN(std::ifstream in, internal_sim::OpenInputFile(path, "scenario"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(
        internal::StrCat("error reading scenario '", internal::Printable(path), "'"));
  }
  return buffer.str();
}

}  // namespace

absl::StatusOr<Scenario> ParseScenarioText(std::string_view text, std::string_view base_dir,
                                           const LoadOptions& options) {
  pb::Scenario proto;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return absl::InvalidArgumentError(internal::StrCat(
        "scenario: not valid protobuf text format (see proto/switchboard/v1/scenario.proto): ",
        errors.error()));
  }
  return FromProto(proto, base_dir, options);
}

absl::StatusOr<Scenario> ParseScenarioJson(std::string_view json, std::string_view base_dir,
                                           const LoadOptions& options) {
  pb::Scenario proto;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &proto);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        internal::StrCat("scenario: not valid JSON: ", status.ToString()));
  }
  return FromProto(proto, base_dir, options);
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path, const LoadOptions& options) {
  SB_ASSIGN_OR_RETURN(std::string text, ReadScenarioFile(path));
  const size_t slash = path.find_last_of('/');
  const std::string base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  absl::StatusOr<Scenario> s = json ? ParseScenarioJson(text, base_dir, options)
                                    : ParseScenarioText(text, base_dir, options);
  if (!s.ok()) {
    return absl::Status(s.status().code(), internal::StrCat(internal_sim::ShownPath(path), ": ",
                                                            s.status().message()));
  }
  return s;
}

}  // namespace switchboard::sim
