// The CDN host selection state machine (lm-api.md §6.3), with time passed in.
#include <doctest/doctest.h>

#include "daemon/trueapi/host_selector.hpp"

using namespace piotd::daemon;

namespace {

constexpr std::int64_t kStart = 1'700'000'000'000;

std::vector<CdnHost> hosts(std::initializer_list<std::pair<const char*, std::int64_t>> list) {
    std::vector<CdnHost> result;
    for (const auto& [url, avg] : list) result.push_back(CdnHost{url, avg});
    return result;
}

}  // namespace

TEST_SUITE("daemon.host_selector") {
    TEST_CASE("an empty selector picks nothing and wants a refresh at once") {
        HostSelector selector;
        CHECK(selector.refresh_due(kStart));
        CHECK_FALSE(selector.pick(kStart, {}).has_value());
    }

    TEST_CASE("hosts are tried by avgTimeMs, unmeasured ones last") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 90}, {"b", 0}, {"c", 20}, {"d", 50}}), kStart, 0);
        CHECK(selector.pick(kStart, {}) == "c");
        CHECK(selector.pick(kStart, {"c"}) == "d");
        CHECK(selector.pick(kStart, {"c", "d"}) == "a");
        CHECK(selector.pick(kStart, {"c", "d", "a"}) == "b");
        CHECK_FALSE(selector.pick(kStart, {"c", "d", "a", "b"}).has_value());
    }

    TEST_CASE("the next refresh falls between 6 and 7 hours") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 1}}), kStart, 0);
        CHECK(selector.next_refresh_ms() == kStart + kRefreshMinMs);
        CHECK_FALSE(selector.refresh_due(kStart + kRefreshMinMs - 1));
        CHECK(selector.refresh_due(kStart + kRefreshMinMs));
        selector.set_hosts(hosts({{"a", 1}}), kStart, 10LL * 3600 * 1000);  // jitter clamped
        CHECK(selector.next_refresh_ms() == kStart + kRefreshMaxMs);
        selector.refresh_failed(kStart);
        CHECK(selector.next_refresh_ms() == kStart + kRefreshRetryMs);
    }

    TEST_CASE("a blocked host is skipped for exactly 15 minutes") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 10}, {"b", 20}}), kStart, 0);
        selector.block("a", kStart);
        CHECK(selector.pick(kStart, {}) == "b");
        CHECK(selector.pick(kStart + kHostBlockMs - 1, {}) == "b");
        CHECK(selector.pick(kStart + kHostBlockMs, {}) == "a");
        CHECK(selector.hosts()[0].failures == 1);
    }

    TEST_CASE("when every host is blocked the blocks are lifted") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 10}, {"b", 20}}), kStart, 0);
        selector.block("a", kStart);
        selector.block("b", kStart);
        CHECK(selector.pick(kStart + 1, {}) == "a");
        CHECK(selector.pick(kStart + 1, {"a"}) == "b");
    }

    TEST_CASE("tried hosts are not picked again even when others are blocked") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 10}, {"b", 20}}), kStart, 0);
        selector.block("b", kStart);
        CHECK(selector.pick(kStart, {"a"}) == std::nullopt);
    }

    TEST_CASE("a refresh keeps blocks and marks unhealthy hosts blocked") {
        HostSelector selector;
        selector.set_hosts(hosts({{"a", 10}, {"b", 20}}), kStart, 0);
        selector.block("a", kStart);
        auto fresh = hosts({{"a", 10}, {"b", 20}, {"c", 5}});
        fresh[2].healthy = false;
        selector.set_hosts(fresh, kStart + 1000, 0);
        CHECK(selector.pick(kStart + 1000, {}) == "b");
        CHECK(selector.pick(kStart + kHostBlockMs + 1000, {}) == "c");
    }
}
