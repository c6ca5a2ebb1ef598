#include "daemon/metrics/metrics_registry.hpp"

#include <stdexcept>

namespace piotd::daemon {

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 MetricType type) {
    for (Family& f : families_) {
        if (f.name != name) continue;
        if (f.type != type) throw std::logic_error("metric " + name + " registered twice");
        return f;
    }
    families_.push_back(Family{name, help, type, {}, {}});
    return families_.back();
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  MetricLabels labels) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, MetricType::counter);
    for (auto& [existing, metric] : f.counters) {
        if (existing == labels) return *metric;
    }
    Counter& metric = counters_.emplace_back();
    f.counters.emplace_back(std::move(labels), &metric);
    return metric;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      MetricLabels labels,
                                      std::span<const std::uint64_t> upper_bounds_ns) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, MetricType::histogram);
    for (auto& [existing, metric] : f.histograms) {
        if (existing == labels) return *metric;
    }
    Histogram& metric = histograms_.emplace_back(upper_bounds_ns);
    f.histograms.emplace_back(std::move(labels), &metric);
    return metric;
}

void MetricsRegistry::add_collector(MetricCollector collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out.reserve(16 * 1024);
    for (const Family& f : families_) {
        write_metric_header(out, f.name, f.help, f.type);
        for (const auto& [labels, metric] : f.counters) {
            write_metric_sample(out, f.name, labels, static_cast<double>(metric->value()));
        }
        for (const auto& [labels, metric] : f.histograms) {
            write_histogram_samples(out, f.name, labels, *metric);
        }
    }
    // Collected samples, grouped by family in the order each family first appears.
    std::vector<MetricSample> samples;
    for (const MetricCollector& collect : collectors_) collect(samples);
    std::vector<std::string> order;
    std::map<std::string, std::vector<const MetricSample*>> grouped;
    for (const MetricSample& sample : samples) {
        auto& group = grouped[sample.name];
        if (group.empty()) order.push_back(sample.name);
        group.push_back(&sample);
    }
    for (const std::string& name : order) {
        const auto& group = grouped[name];
        write_metric_header(out, name, group.front()->help, group.front()->type);
        for (const MetricSample* sample : group) {
            write_metric_sample(out, name, sample->labels, sample->value);
        }
    }
    return out;
}

}  // namespace piotd::daemon
