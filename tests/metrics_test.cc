// Contact-center measures: service-level definitions, ASA, abandonment, AHT, occupancy, FCR,
// CSAT/NPS/CES, Student t quantiles and confidence intervals.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "switchboard/metrics.h"

namespace sb = switchboard;
using Catch::Matchers::Contains;

namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

absl::Time At(int64_t seconds) { return absl::FromUnixSeconds(1'700'000'000 + seconds); }

// Standard normal by Box-Muller from our own uniform, so results do not depend on the standard
// library's distribution implementation.
double Normal(std::mt19937_64& rng) {
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * 3.14159265358979323846 * uniform());
}

}  // namespace

TEST_CASE("Service level definitions count abandoners as documented") {
  sb::QueueMeasures m = sb::QueueMeasures::Create({/*target=*/20.0, /*short_abandon=*/5.0}).value();
  // Answered: 3 within 20 s (20 s itself counts), 2 later.
  for (double wait : {0.0, 12.0, 20.0, 35.0, 90.0}) REQUIRE(m.RecordAnswered(wait).ok());
  // Abandoned: 2 short (< 5 s), 1 within 20 s, 2 later.
  for (double wait : {1.0, 4.9, 15.0, 40.0, 70.0}) REQUIRE(m.RecordAbandoned(wait).ok());
  CHECK(m.offered() == 10);
  CHECK(m.answered() == 5);
  CHECK(m.answered_within_target() == 3);
  CHECK(m.abandoned() == 5);
  CHECK(m.abandoned_within_target() == 3);
  CHECK(m.short_abandoned() == 2);
  using D = sb::ServiceLevelDefinition;
  CHECK(*m.ServiceLevel() == Approx(3.0 / 10.0));
  CHECK(*m.ServiceLevel(D::kAnsweredOverOffered) == Approx(3.0 / 10.0));
  CHECK(*m.ServiceLevel(D::kAnsweredOverAnswered) == Approx(3.0 / 5.0));
  CHECK(*m.ServiceLevel(D::kExcludeShortAbandons) == Approx(3.0 / 8.0));
  CHECK(*m.ServiceLevel(D::kAbandonsWithinTargetMet) == Approx(6.0 / 10.0));
  CHECK(*m.Asa() == Approx((0 + 12 + 20 + 35 + 90) / 5.0));
  CHECK(*m.MeanWait() == Approx((157 + 1 + 4.9 + 15 + 40 + 70) / 10.0));
  CHECK(*m.AbandonmentRate() == Approx(0.5));
  CHECK(*m.ShortAbandonExcludedRate() == Approx(3.0 / 8.0));
  CHECK(*m.MeanAbandonWait() == Approx((1 + 4.9 + 15 + 40 + 70) / 5.0));
  CHECK(*m.MaxWait() == Approx(90.0));
}

TEST_CASE("AHT is talk + hold + wrap over handled contacts") {
  sb::QueueMeasures m;
  REQUIRE(m.RecordAnswered(3, {240, 30, 45}).ok());
  REQUIRE(m.RecordAnswered(8, {120, 0, 15}).ok());
  REQUIRE(m.RecordAbandoned(60).ok());  // abandoners take no handle time
  CHECK(*m.Aht() == Approx((315.0 + 135.0) / 2.0));
  const sb::HandleTime mean = *m.MeanHandleTime();
  CHECK(mean.talk == Approx(180.0));
  CHECK(mean.hold == Approx(15.0));
  CHECK(mean.wrap == Approx(30.0));
}

TEST_CASE("Empty measures have no value rather than a made-up one") {
  sb::QueueMeasures m;
  CHECK(m.options().target == 20.0);
  CHECK_FALSE(m.ServiceLevel().has_value());
  CHECK_FALSE(m.Asa().has_value());
  CHECK_FALSE(m.AbandonmentRate().has_value());
  CHECK_FALSE(m.Aht().has_value());
  CHECK_FALSE(m.MaxWait().has_value());
  REQUIRE(m.RecordAbandoned(30).ok());
  CHECK(*m.ServiceLevel() == 0.0);
  CHECK_FALSE(m.ServiceLevel(sb::ServiceLevelDefinition::kAnsweredOverAnswered).has_value());
  CHECK_FALSE(m.Asa().has_value());
}

TEST_CASE("Per-interval measures merge into the day's") {
  sb::QueueMeasures morning, afternoon, day;
  for (double w : {5.0, 25.0}) {
    REQUIRE(morning.RecordAnswered(w, {100, 0, 10}).ok());
    REQUIRE(day.RecordAnswered(w, {100, 0, 10}).ok());
  }
  for (double w : {50.0}) {
    REQUIRE(afternoon.RecordAbandoned(w).ok());
    REQUIRE(day.RecordAbandoned(w).ok());
  }
  REQUIRE(afternoon.RecordAnswered(1, {200, 20, 0}).ok());
  REQUIRE(day.RecordAnswered(1, {200, 20, 0}).ok());
  REQUIRE(morning.Merge(afternoon).ok());
  CHECK(morning.offered() == day.offered());
  CHECK(*morning.ServiceLevel() == Approx(*day.ServiceLevel()));
  CHECK(*morning.Asa() == Approx(*day.Asa()));
  CHECK(*morning.Aht() == Approx(*day.Aht()));
  CHECK(*morning.MaxWait() == Approx(50.0));
  sb::QueueMeasures other = sb::QueueMeasures::Create({30.0, 0.0}).value();
  const int64_t before = morning.offered();
  absl::Status s = morning.Merge(other);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(morning.offered() == before);
}

TEST_CASE("Bad measure input is rejected and changes nothing") {
  CHECK_THAT(Message(sb::QueueMeasures::Create({-1.0, 0.0}).status()),
             Contains("queue_measures.target"));
  CHECK_THAT(Message(sb::QueueMeasures::Create({20.0, NAN}).status()),
             Contains("queue_measures.short_abandon"));
  sb::QueueMeasures m;
  REQUIRE(m.RecordAnswered(10, {60, 0, 0}).ok());
  CHECK_THAT(Message(m.RecordAnswered(-1)), Contains("answered.wait"));
  CHECK_THAT(Message(m.RecordAnswered(NAN)), Contains("answered.wait"));
  CHECK_THAT(Message(m.RecordAnswered(1, {60, -2, 0})), Contains("answered.handle.hold"));
  CHECK_THAT(Message(m.RecordAnswered(1, {60, 0, INFINITY})), Contains("answered.handle.wrap"));
  CHECK_THAT(Message(m.RecordAbandoned(-0.5)), Contains("abandoned.wait"));
  CHECK(m.offered() == 1);
  CHECK(*m.Asa() == 10.0);
  CHECK(*m.Aht() == 60.0);
}

TEST_CASE("Occupancy is busy over staffed time") {
  CHECK(sb::Occupancy(2700, 3600).value() == Approx(0.75));
  CHECK(sb::Occupancy(0, 3600).value() == 0.0);
  CHECK_THAT(Message(sb::Occupancy(3700, 3600).status()), Contains("exceeds"));
  CHECK_THAT(Message(sb::Occupancy(-1, 3600).status()), Contains("occupancy.busy_seconds"));
  CHECK_THAT(Message(sb::Occupancy(0, 0).status()), Contains("occupancy.staffed_seconds"));
  CHECK(sb::Occupancy(NAN, 10).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("First-contact resolution from repeat contacts within a window") {
  const absl::Duration day = absl::Hours(24);
  // Unsorted on purpose.
  std::vector<sb::FcrContact> contacts = {
      {"bob", At(3 * 86400), ""},         // bob again after 3 days: outside the 1-day window
      {"ana", At(0), "billing"},
      {"ana", At(3600), "billing"},       // repeat of ana's first (same reason, 1 h later)
      {"bob", At(0), ""},                 // resolved: next contact is 3 days later
      {"cid", At(100), "billing"},
      {"cid", At(200), "password"},       // a different reason is not a repeat
      {"dee", At(10 * 86400 - 60), ""},   // its window runs past data_end: not judged
  };
  const sb::FcrResult r =
      sb::FirstContactResolution(contacts, day, At(10 * 86400)).value();
  // Judged: everything but dee's. Resolved: ana's second, bob x2, cid x2 = 5 of 6.
  CHECK(r.judged == 6);
  CHECK(r.resolved == 5);
  CHECK(r.repeats == 1);
  REQUIRE(r.rate.has_value());
  CHECK(*r.rate == Approx(5.0 / 6.0));
  // With a 4-day window bob's return is a repeat too.
  const sb::FcrResult wide = sb::FirstContactResolution(contacts, absl::Hours(96)).value();
  CHECK(wide.judged == 7);
  CHECK(wide.resolved == 5);
  CHECK(wide.repeats == 2);
  // Nothing judged: no rate.
  CHECK_FALSE(sb::FirstContactResolution(contacts, day, At(0)).value().rate.has_value());
}

TEST_CASE("FCR: same-time contacts and the window's ends do not depend on input order") {
  // Three contacts of ana at one instant, reasons x, "" and y: taken in order of reason ("", x,
  // y), x and y repeat the reasonless one and differ from each other. Every input order gives
  // that, where taking them in input order gave 1 or 2 repeats.
  const std::vector<sb::FcrContact> same_time = {
      {"ana", At(0), "x"}, {"ana", At(0), ""}, {"ana", At(0), "y"}};
  std::vector<size_t> order = {0, 1, 2};
  do {
    std::vector<sb::FcrContact> contacts;
    for (size_t i : order) contacts.push_back(same_time[i]);
    INFO("order " << order[0] << order[1] << order[2]);
    const sb::FcrResult r = sb::FirstContactResolution(contacts, absl::Hours(1)).value();
    CHECK(r.judged == 3);
    CHECK(r.repeats == 2);
    CHECK(r.resolved == 2);  // x and y: nothing with their reason (or none) comes after them
  } while (std::next_permutation(order.begin(), order.end()));
  // Exactly one window later is a repeat; a window ending exactly at data_end is judged.
  const std::vector<sb::FcrContact> edge = {{"bob", At(0), ""}, {"bob", At(3600), ""}};
  const sb::FcrResult r = sb::FirstContactResolution(edge, absl::Hours(1), At(3600)).value();
  CHECK(r.judged == 1);
  CHECK(r.resolved == 0);
  CHECK(r.repeats == 1);
}

TEST_CASE("Bad FCR input is rejected") {
  std::vector<sb::FcrContact> contacts = {{"ana", At(0), ""}, {"", At(5), ""}};
  CHECK_THAT(Message(sb::FirstContactResolution(contacts, absl::Hours(1)).status()),
             Contains("fcr.contacts[1].customer"));
  contacts.pop_back();
  CHECK_THAT(Message(sb::FirstContactResolution(contacts, absl::ZeroDuration()).status()),
             Contains("fcr.window"));
}

TEST_CASE("CSAT, NPS and CES follow their standard definitions") {
  const std::vector<int> csat = {5, 4, 3, 2, 1, 5, 5, 4};  // 5 of 8 are 4-5
  CHECK(sb::Csat(csat).value() == Approx(62.5));
  // 10 answers: 9, 10, 10, 9, 10 promoters; 7, 8, 8 passives; 6, 0 detractors -> 50 - 20 = 30.
  const std::vector<int> nps = {9, 10, 10, 9, 10, 7, 8, 8, 6, 0};
  CHECK(sb::Nps(nps).value() == Approx(30.0));
  const std::vector<int> all_detractors = {0, 3, 6};
  CHECK(sb::Nps(all_detractors).value() == Approx(-100.0));
  const std::vector<double> ces = {7, 6, 5, 2};
  CHECK(sb::Ces(ces).value() == Approx(5.0));
  CHECK(sb::Ces(ces, 10).value() == Approx(5.0));

  const std::vector<int> bad_csat = {5, 6};
  CHECK_THAT(Message(sb::Csat(bad_csat).status()), Contains("csat.scores[1]"));
  const std::vector<int> bad_nps = {11};
  CHECK_THAT(Message(sb::Nps(bad_nps).status()), Contains("nps.scores[0]"));
  CHECK_THAT(Message(sb::Csat({}).status()), Contains("no scores"));
  const std::vector<double> bad_ces = {3, NAN};
  CHECK_THAT(Message(sb::Ces(bad_ces).status()), Contains("ces.scores[1]"));
  CHECK_THAT(Message(sb::Ces(ces, 5).status()), Contains("ces.scores[0]"));  // 7 > 5
  CHECK_THAT(Message(sb::Ces(ces, 1).status()), Contains("ces.scale_max"));
}

TEST_CASE("Student t quantiles match the published table") {
  // NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2 "Critical values of the
  // Student's t distribution" (upper-tail 0.025, 0.05 and 0.005 columns).
  struct Row {
    double p, dof, t;
  };
  for (const Row& r : {Row{0.975, 1, 12.706}, Row{0.975, 2, 4.303}, Row{0.975, 5, 2.571},
                       Row{0.975, 10, 2.228}, Row{0.975, 30, 2.042}, Row{0.975, 100, 1.984},
                       Row{0.95, 4, 2.132}, Row{0.95, 20, 1.725}, Row{0.995, 10, 3.169},
                       Row{0.995, 3, 5.841}}) {
    INFO("p " << r.p << " dof " << r.dof);
    CHECK(sb::StudentTQuantile(r.p, r.dof).value() == Approx(r.t).margin(5e-4));
    CHECK(sb::StudentTQuantile(1.0 - r.p, r.dof).value() == Approx(-r.t).margin(5e-4));
  }
  // Many degrees of freedom: the normal 97.5% point, 1.959964.
  CHECK(sb::StudentTQuantile(0.975, 1e7).value() == Approx(1.959964).margin(1e-5));
  // dof = 1 is Cauchy: quantile tan(pi (p - 1/2)), exact.
  CHECK(sb::StudentTQuantile(0.9, 1).value() ==
        Approx(std::tan(3.14159265358979323846 * 0.4)).epsilon(1e-9));
  // dof = 2 has the closed form t = (2p - 1) / sqrt(2 p (1 - p)).
  CHECK(sb::StudentTQuantile(0.99, 2).value() ==
        Approx(0.98 / std::sqrt(2 * 0.99 * 0.01)).epsilon(1e-9));
  CHECK(sb::StudentTQuantile(0.5, 3).value() == 0.0);
  CHECK(sb::StudentTQuantile(1.0, 3).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sb::StudentTQuantile(0.9, 0).status().code() == absl::StatusCode::kInvalidArgument);
}

// Far tails at small dof: dof + t * t overflowed past 1.3e154, the tail read as 0, and every
// quantile beyond came back as -1.34e154. Up to kMaxStudentTQuantile the answer is exact; past
// it (and past the largest double) the call says so instead of answering wrongly.
TEST_CASE("Student t far-tail quantiles are exact up to their bound, then OutOfRange") {
  for (double p : {1e-10, 1e-100, 1e-140}) {
    INFO("p " << p);
    const double cauchy = -1.0 / std::tan(3.14159265358979323846 * p);  // dof 1, exact
    CHECK(sb::StudentTQuantile(p, 1).value() == Approx(cauchy).epsilon(1e-9));
    CHECK(sb::StudentTQuantile(1.0 - p, 1).ok() == (1.0 - p < 1.0));
  }
  for (double p : {1e-160, 1e-300}) {
    const absl::StatusOr<double> t = sb::StudentTQuantile(p, 1);
    CHECK(t.status().code() == absl::StatusCode::kOutOfRange);
    CHECK_THAT(std::string(t.status().message()), Catch::Contains("exceeds"));
  }
  // The 97.5% point at dof 0.001 is about 1.7e1299, beyond any double.
  CHECK(sb::StudentTQuantile(0.975, 0.001).status().code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("Confidence interval from replications") {
  const std::vector<double> values = {1, 2, 3, 4, 5};
  const sb::ConfidenceInterval ci = sb::MeanConfidenceInterval(values).value();
  // mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445.
  CHECK(ci.mean == Approx(3.0));
  CHECK(ci.half_width == Approx(2.776445 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-6));
  CHECK(ci.count == 5);
  CHECK(ci.Contains(1.05));
  CHECK_FALSE(ci.Contains(0.9));
  const sb::ConfidenceInterval ci90 = sb::MeanConfidenceInterval(values, 0.90).value();
  CHECK(ci90.half_width < ci.half_width);
  // Large offsets do not lose precision (Welford).
  const std::vector<double> shifted = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 5};
  CHECK(sb::MeanConfidenceInterval(shifted)->half_width == Approx(ci.half_width).epsilon(1e-6));

  const std::vector<double> one = {1.0};
  CHECK_THAT(Message(sb::MeanConfidenceInterval(one).status()), Contains("at least 2"));
  const std::vector<double> nan = {1.0, NAN};
  CHECK_THAT(Message(sb::MeanConfidenceInterval(nan).status()), Contains("ci.replications[1]"));
  CHECK_THAT(Message(sb::MeanConfidenceInterval(values, 1.0).status()), Contains("ci.confidence"));
}

TEST_CASE("95% intervals from 5 normal replications cover the mean about 95% of the time") {
  const uint64_t seed = 20261125;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const int trials = 4000;
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> reps(5);
    for (double& x : reps) x = 10.0 + 2.0 * Normal(rng);
    if (sb::MeanConfidenceInterval(reps)->Contains(10.0)) ++covered;
  }
  // Binomial(4000, 0.95) has sd 0.34%; a normal-quantile interval would cover only ~88%.
  CHECK(covered / static_cast<double>(trials) == Approx(0.95).margin(0.015));
}

// With many degrees of freedom t tends to the normal quantile. The incomplete-beta route lost
// every digit there: dof / (dof + t^2) rounded to 1, so the 97.5% point came out 1.75 at
// dof = 1e15, 2.83 at 1e17 and about 1e150 at 1e300 (and 2e-8 off already at 1e8).
TEST_CASE("Student t quantiles with huge degrees of freedom tend to the normal quantile") {
  const double z975 = 1.959963984540054;  // the standard normal 97.5% point
  for (double dof : {1e8, 1e10, 1e12, 1e15, 1e17, 1e100, 1e300, 1.7e308}) {
    INFO("dof " << dof);
    // A&S 26.7.5 to first order: t = z + (z^3 + z) / (4 dof).
    const double expected = z975 + (z975 * z975 * z975 + z975) / (4.0 * dof);
    CHECK(sb::StudentTQuantile(0.975, dof).value() == Approx(expected).epsilon(1e-10));
    CHECK(sb::StudentTQuantile(0.025, dof).value() == Approx(-expected).epsilon(1e-10));
  }
  // The normal quantile of 1e-300 is 37.0471...; every answer is finite.
  const double far = sb::StudentTQuantile(1e-300, 1e300).value();
  CHECK(far == Approx(-37.0471).margin(1e-3));
  // Continuous and decreasing in dof where the method changes (1e5).
  const double below = sb::StudentTQuantile(0.975, std::nextafter(1e5, 0.0)).value();
  const double at = sb::StudentTQuantile(0.975, 1e5).value();
  CHECK(at == Approx(below).epsilon(1e-10));
  CHECK(sb::StudentTQuantile(0.975, 1e4).value() > below);
  CHECK(at > sb::StudentTQuantile(0.975, 2e5).value());
}

// Any confidence in (0, 1) is valid. 0.5 + confidence / 2 rounded to 1 for the largest double
// below 1, and the interval was refused with "t.p is 1", naming a field the caller never set.
TEST_CASE("a confidence just below 1 gives a wide interval, a tiny one a point") {
  const std::vector<double> values = {1, 2, 3, 4, 5};
  for (double confidence : {std::nextafter(1.0, 0.0), 1.0 - 1e-15, 1.0 - 1e-9}) {
    INFO("confidence " << confidence);
    auto ci = sb::MeanConfidenceInterval(values, confidence);
    REQUIRE(ci.ok());
    CHECK(std::isfinite(ci->half_width));
    CHECK(ci->half_width > sb::MeanConfidenceInterval(values, 0.999)->half_width);
    CHECK(ci->confidence == confidence);
  }
  // (1 - c) / 2 of 1e-9 is 5e-10: t(1 - 5e-10, 4) from the beta route.
  CHECK(sb::MeanConfidenceInterval(values, 1.0 - 1e-9)->half_width ==
        Approx(sb::StudentTQuantile(1.0 - 5e-10, 4).value() * std::sqrt(2.5) / std::sqrt(5.0))
            .epsilon(1e-6));
  for (double confidence : {1e-300, std::numeric_limits<double>::denorm_min()}) {
    auto ci = sb::MeanConfidenceInterval(values, confidence);
    REQUIRE(ci.ok());
    CHECK(ci->half_width == Approx(0.0).margin(1e-12));
  }
  CHECK_THAT(Message(sb::MeanConfidenceInterval(values, 0.0).status()), Contains("ci.confidence"));
}

// The difference of two finite values can overflow: {1e308, -1e308} gave mean -inf and
// half-width NaN, returned as OK.
TEST_CASE("a confidence interval over values near DBL_MAX has the right mean") {
  const double big = std::numeric_limits<double>::max();
  const std::vector<double> opposite = {1e308, -1e308};
  auto ci = sb::MeanConfidenceInterval(opposite);
  REQUIRE(ci.ok());
  CHECK(ci->mean == 0.0);
  CHECK(ci->half_width == std::numeric_limits<double>::infinity());  // 12.7 * 1e308: too wide
  const std::vector<double> near_max = {big, big / 2, big / 4};
  ci = sb::MeanConfidenceInterval(near_max);
  REQUIRE(ci.ok());
  CHECK(ci->mean == Approx(big / 12.0 * 7.0));
  CHECK(std::isfinite(ci->half_width));
  // The same interval as for {4, 2, 1}, scaled.
  const std::vector<double> small = {4, 2, 1};
  const sb::ConfidenceInterval unit = sb::MeanConfidenceInterval(small).value();
  CHECK(ci->half_width / (big / 4) == Approx(unit.half_width).epsilon(1e-12));
  const std::vector<double> tiny = {4e-320, 2e-320, 1e-320};  // subnormal
  ci = sb::MeanConfidenceInterval(tiny);
  REQUIRE(ci.ok());
  CHECK(ci->mean > 0.0);
  const std::vector<double> zeros = {0.0, 0.0};
  CHECK(sb::MeanConfidenceInterval(zeros)->half_width == 0.0);
}

// Valid extremes that were already right: a tally of short abandons only has no
// short-abandon-excluded measures (0 / 0), FCR takes contacts at either end of time and a 1 ns
// window, and occupancy over a subnormal staffed time.
TEST_CASE("measures at the edges of their inputs") {
  auto m = sb::QueueMeasures::Create({20.0, 5.0}).value();
  REQUIRE(m.RecordAbandoned(1.0).ok());
  CHECK_FALSE(m.ServiceLevel(sb::ServiceLevelDefinition::kExcludeShortAbandons).has_value());
  CHECK_FALSE(m.ShortAbandonExcludedRate().has_value());
  CHECK(m.ServiceLevel(sb::ServiceLevelDefinition::kAbandonsWithinTargetMet) == 1.0);

  const std::vector<sb::FcrContact> contacts = {{"a", absl::InfinitePast(), ""},
                                                {"a", absl::InfiniteFuture(), ""},
                                                {"b", absl::UnixEpoch(), ""}};
  auto all = sb::FirstContactResolution(contacts, absl::Hours(1));
  REQUIRE(all.ok());
  CHECK(all->judged == 3);  // infinitely apart: no repeat
  CHECK(all->repeats == 0);
  auto early = sb::FirstContactResolution(contacts, absl::Nanoseconds(1), absl::UnixEpoch());
  REQUIRE(early.ok());
  CHECK(early->judged == 1);  // only the infinite past's window ends by the epoch
  CHECK(sb::FirstContactResolution(contacts, absl::InfiniteDuration()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(sb::Occupancy(0.0, 1e-320).value() == 0.0);
  CHECK(sb::Occupancy(1e-320, 1e-320).value() == 1.0);
}

// Finite but absurd waits used to sum to infinity (two waits of 1e308 s gave an infinite ASA);
// the bound keeps every sum finite.
TEST_CASE("measures refuse seconds above their bound and keep sums finite at it") {
  sb::QueueMeasures m;
  CHECK_THAT(Message(m.RecordAnswered(1e308)), Contains("answered.wait"));
  CHECK_THAT(Message(m.RecordAnswered(1, {sb::kMaxMeasuredSeconds * 2, 0, 0})),
             Contains("answered.handle.talk"));
  CHECK_THAT(Message(m.RecordAbandoned(INFINITY)), Contains("abandoned.wait"));
  CHECK_THAT(Message(sb::QueueMeasures::Create({1e13, 0.0}).status()),
             Contains("queue_measures.target"));
  CHECK(m.offered() == 0);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(m.RecordAnswered(sb::kMaxMeasuredSeconds, {sb::kMaxMeasuredSeconds, 0, 0}).ok());
    REQUIRE(m.RecordAbandoned(sb::kMaxMeasuredSeconds).ok());
  }
  CHECK(*m.Asa() == sb::kMaxMeasuredSeconds);
  CHECK(*m.MeanWait() == sb::kMaxMeasuredSeconds);
  CHECK(*m.Aht() == sb::kMaxMeasuredSeconds);
  CHECK(*m.MaxWait() == sb::kMaxMeasuredSeconds);
}
