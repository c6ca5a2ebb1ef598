#include "daemon/replication/starvation_rule.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace piotd::daemon {

namespace {

bool read_number(std::string_view& text, std::uint64_t& value) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) return false;
    text.remove_prefix(start);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
}

}  // namespace

std::optional<SchedStat> parse_schedstat(std::string_view text) {
    std::uint64_t on_cpu = 0;
    std::uint64_t waiting = 0;
    std::uint64_t slices = 0;
    if (!read_number(text, on_cpu) || !read_number(text, waiting) || !read_number(text, slices)) {
        return std::nullopt;
    }
    if (text.find_first_not_of(" \n") != std::string_view::npos) return std::nullopt;
    // Nanoseconds since the thread started: anything past int64 is not a reading.
    constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
    if (on_cpu > kMax || waiting > kMax) return std::nullopt;
    return SchedStat{std::chrono::nanoseconds(static_cast<std::int64_t>(on_cpu)),
                     std::chrono::nanoseconds(static_cast<std::int64_t>(waiting))};
}

StarvationJudgement StarvationRule::observe(SchedStat now, std::chrono::nanoseconds elapsed,
                                            bool lifted) {
    using std::chrono::nanoseconds;
    StarvationJudgement judgement;
    if (!last_) {
        last_ = now;
        return judgement;
    }
    // The counters only grow; a smaller one means another thread, so start over.
    if (now.on_cpu < last_->on_cpu || now.waiting < last_->waiting) {
        last_ = now;
        window_.clear();
        return judgement;
    }
    const Interval latest{now.on_cpu - last_->on_cpu, now.waiting - last_->waiting,
                          std::max(elapsed, nanoseconds{1})};
    last_ = now;
    window_.push_back(latest);
    while (window_.size() > options_.window) window_.pop_front();

    if (lifted) {
        const double runnable = static_cast<double>((latest.on_cpu + latest.waiting).count());
        if (runnable < options_.idle * static_cast<double>(latest.elapsed.count())) {
            window_.clear();
            return {StarvationVerdict::lower, latest.on_cpu, latest.waiting, latest.elapsed};
        }
    }
    if (starved(judgement)) {
        judgement.verdict = lifted ? StarvationVerdict::raise : StarvationVerdict::lift;
        window_.clear();
    }
    return judgement;
}

bool StarvationRule::starved(StarvationJudgement& judgement) const {
    for (const Interval& interval : window_) {
        judgement.on_cpu += interval.on_cpu;
        judgement.waiting += interval.waiting;
        judgement.elapsed += interval.elapsed;
    }
    if (window_.size() < options_.window) return false;
    const auto runnable = static_cast<double>((judgement.on_cpu + judgement.waiting).count());
    return runnable >= options_.min_runnable * static_cast<double>(judgement.elapsed.count()) &&
           static_cast<double>(judgement.on_cpu.count()) < options_.max_served * runnable;
}

}  // namespace piotd::daemon
