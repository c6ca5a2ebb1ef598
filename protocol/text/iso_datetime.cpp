#include "protocol/text/iso_datetime.hpp"

namespace piotd::protocol {

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
    // Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date.
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

// Reads exactly `width` digits at `pos`; advances pos.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t width) {
    if (pos + width > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool accept(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

unsigned days_in_month(int year, int month) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<std::int64_t> parse_iso_datetime_ms(std::string_view text) {
    std::size_t pos = 0;
    const auto year = digits(text, pos, 4);
    if (!year || !accept(text, pos, '-')) return std::nullopt;
    const auto month = digits(text, pos, 2);
    if (!month || !accept(text, pos, '-')) return std::nullopt;
    const auto day = digits(text, pos, 2);
    if (!day || *month < 1 || *month > 12 || *day < 1 ||
        static_cast<unsigned>(*day) > days_in_month(*year, *month)) {
        return std::nullopt;
    }
    std::int64_t ms = 0;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
        ++pos;
        const auto hour = digits(text, pos, 2);
        if (!hour || !accept(text, pos, ':')) return std::nullopt;
        const auto minute = digits(text, pos, 2);
        if (!minute || *hour > 23 || *minute > 59) return std::nullopt;
        int second = 0;
        if (accept(text, pos, ':')) {
            const auto s = digits(text, pos, 2);
            if (!s || *s > 60) return std::nullopt;  // 60: a leap second, read as 59+1
            second = *s;
        }
        int millis = 0;
        if (accept(text, pos, '.')) {
            std::size_t count = 0;
            for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++count) {
                if (count < 3) millis = millis * 10 + (text[pos] - '0');
            }
            if (count == 0 || count > 9) return std::nullopt;
            for (std::size_t i = count; i < 3; ++i) millis *= 10;
        }
        ms = ((static_cast<std::int64_t>(*hour) * 60 + *minute) * 60 + second) * 1000 + millis;
        if (pos < text.size()) {
            const char sign = text[pos];
            if (sign == 'Z' || sign == 'z') {
                ++pos;
            } else if (sign == '+' || sign == '-') {
                ++pos;
                const auto zh = digits(text, pos, 2);
                if (!zh || *zh > 23) return std::nullopt;
                int zm = 0;
                if (pos < text.size()) {
                    accept(text, pos, ':');
                    const auto m = digits(text, pos, 2);
                    if (!m || *m > 59) return std::nullopt;
                    zm = *m;
                }
                const std::int64_t offset = (static_cast<std::int64_t>(*zh) * 60 + zm) * 60000;
                ms += sign == '+' ? -offset : offset;
            } else {
                return std::nullopt;
            }
        }
    }
    if (pos != text.size()) return std::nullopt;
    return days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) *
               86400000 +
           ms;
}

}  // namespace piotd::protocol
