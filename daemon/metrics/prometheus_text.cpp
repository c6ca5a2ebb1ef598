#include "daemon/metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace piotd::daemon {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_label(std::string& out, bool& first, std::string_view name, std::string_view value) {
    out += first ? '{' : ',';
    first = false;
    out += name;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
}

}  // namespace

std::string format_metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    std::to_chars_result result{};
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
    }
    return std::string(buffer, result.ptr);
}

void write_metric_header(std::string& out, std::string_view name, std::string_view help,
                         MetricType type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, help, false);
    out += "\n# TYPE ";
    out += name;
    switch (type) {
        case MetricType::counter:
            out += " counter\n";
            break;
        case MetricType::gauge:
            out += " gauge\n";
            break;
        case MetricType::histogram:
            out += " histogram\n";
            break;
    }
}

void write_metric_sample(std::string& out, std::string_view name, const MetricLabels& labels,
                         double value, std::string_view extra_name, std::string_view extra_value) {
    out += name;
    bool first = true;
    for (const auto& [label, text] : labels) append_label(out, first, label, text);
    if (!extra_name.empty()) append_label(out, first, extra_name, extra_value);
    if (!first) out += '}';
    out += ' ';
    out += format_metric_value(value);
    out += '\n';
}

void write_histogram_samples(std::string& out, std::string_view name, const MetricLabels& labels,
                             const Histogram& histogram) {
    const std::vector<std::uint64_t> counts = histogram.bucket_counts();
    const std::vector<std::uint64_t>& bounds = histogram.upper_bounds_ns();
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += counts[i];
        write_metric_sample(out, bucket, labels, static_cast<double>(cumulative), "le",
                            format_metric_value(static_cast<double>(bounds[i]) / 1e9));
    }
    cumulative += counts.back();
    write_metric_sample(out, bucket, labels, static_cast<double>(cumulative), "le", "+Inf");
    write_metric_sample(out, std::string(name) + "_sum", labels,
                        static_cast<double>(histogram.sum_ns()) / 1e9);
    write_metric_sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace piotd::daemon
