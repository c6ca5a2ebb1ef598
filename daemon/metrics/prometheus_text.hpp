// The Prometheus text exposition format 0.0.4: family headers, samples, label escaping.
// Pure string building, unit-tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/metrics/metric_types.hpp"

namespace piotd::daemon {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { counter, gauge, histogram };

// "# HELP name help\n# TYPE name type\n"; backslash and newline in help are escaped.
void write_metric_header(std::string& out, std::string_view name, std::string_view help,
                         MetricType type);

// "name{a="x",b="y"} value\n"; label values escape backslash, double quote and newline.
// `extra` is one more label appended after `labels` (the histogram's "le"), empty for none.
void write_metric_sample(std::string& out, std::string_view name, const MetricLabels& labels,
                         double value, std::string_view extra_name = {},
                         std::string_view extra_value = {});

// The _bucket (cumulative), _sum and _count lines of one histogram child.
void write_histogram_samples(std::string& out, std::string_view name, const MetricLabels& labels,
                             const Histogram& histogram);

// A value as Prometheus reads it: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string format_metric_value(double value);

}  // namespace piotd::daemon
