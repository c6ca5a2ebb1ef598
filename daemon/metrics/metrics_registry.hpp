// Every metric piotd exposes at GET /metrics. Any component registers into it at start-up and
// keeps the returned reference: the hot path then touches only that metric's atomics. Registering
// the same name and labels twice returns the same metric, so components need not coordinate.
//
// Values known only at scrape time (list sizes, outbox depth from a provider, per-route HTTP
// counts) come from collectors: functions called under the registry's lock on every scrape. A
// collector's family names must differ from registered counters' and histograms' (the text
// format wants each family in one block).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "daemon/metrics/metric_types.hpp"
#include "daemon/metrics/prometheus_text.hpp"

namespace piotd::daemon {

// One sample a collector reports. Samples of one family may come from several collectors; the
// registry groups them under a single header.
struct MetricSample {
    std::string name;
    std::string help;
    MetricType type = MetricType::gauge;
    MetricLabels labels;
    double value = 0;
};

using MetricCollector = std::function<void(std::vector<MetricSample>& out)>;

class MetricsRegistry {
public:
    Counter& counter(const std::string& name, const std::string& help, MetricLabels labels = {});
    Histogram& histogram(const std::string& name, const std::string& help, MetricLabels labels,
                         std::span<const std::uint64_t> upper_bounds_ns);
    void add_collector(MetricCollector collector);

    // The whole exposition, text format 0.0.4.
    std::string render() const;

private:
    struct Family {
        std::string name;
        std::string help;
        MetricType type;
        std::vector<std::pair<MetricLabels, Counter*>> counters;
        std::vector<std::pair<MetricLabels, Histogram*>> histograms;
    };
    Family& family(const std::string& name, const std::string& help, MetricType type);

    mutable std::mutex mutex_;
    std::deque<Family> families_;   // registration order
    std::deque<Counter> counters_;  // stable addresses
    std::deque<Histogram> histograms_;
    std::vector<MetricCollector> collectors_;
};

}  // namespace piotd::daemon
