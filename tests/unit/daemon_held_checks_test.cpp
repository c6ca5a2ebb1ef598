// Check events held until the answer is sent: delivered whole, once, with codes that outlive the
// request's own buffers.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "daemon/checks/held_checks.hpp"

using namespace piotd::daemon;

namespace {

struct Delivered {
    std::string code;
    CheckVerdict verdict;
    std::uint64_t duration_ns;
};

class RecordingObserver : public CheckObserver {
public:
    void on_checks(std::span<const CheckEvent> events) noexcept override {
        ++batches;
        for (const CheckEvent& e : events)
            seen.push_back({std::string(e.code), e.verdict, e.duration_ns});
    }
    int batches = 0;
    std::vector<Delivered> seen;
};

}  // namespace

TEST_CASE("held checks: delivered once, after the request's buffers are gone") {
    RecordingObserver observer;
    {
        std::vector<std::string> codes;  // as the handler's parsed codes: gone before delivery
        for (int i = 0; i < 100; ++i)
            codes.push_back("0104600000000000215code" + std::to_string(i));
        for (int i = 0; i < 100; ++i) {
            hold_check(observer, {"local", codes[i],
                                  i % 2 ? CheckVerdict::blocked : CheckVerdict::not_blocked,
                                  static_cast<std::uint64_t>(i), 7});
        }
        for (std::string& code : codes) code.assign(code.size(), 'x');
    }
    CHECK(observer.batches == 0);  // nothing until the answer is sent
    deliver_held_checks();
    REQUIRE(observer.seen.size() == 100);
    CHECK(observer.batches == 1);
    CHECK(observer.seen[0].code == "0104600000000000215code0");
    CHECK(observer.seen[99].code == "0104600000000000215code99");
    CHECK(observer.seen[99].verdict == CheckVerdict::blocked);
    CHECK(observer.seen[42].duration_ns == 42);
    deliver_held_checks();  // nothing held: nothing delivered twice
    CHECK(observer.batches == 1);
}

TEST_CASE("held checks: an answer never sent goes with the next one, not lost") {
    RecordingObserver observer;
    const CheckEvent first{"local", "first", CheckVerdict::not_blocked, 1, 1};
    const CheckEvent second{"local", "second", CheckVerdict::invalid_code, 2, 2};
    hold_check(observer, first);
    deliver_held_checks();
    hold_check(observer, first);   // this reply was dropped (its connection failed) ...
    hold_check(observer, second);  // ... and its event goes with the next one
    deliver_held_checks();
    REQUIRE(observer.seen.size() == 3);
    CHECK(observer.seen[1].code == "first");
    CHECK(observer.seen[2].code == "second");
    CHECK(observer.seen[2].verdict == CheckVerdict::invalid_code);
    CHECK(observer.batches == 2);
    // Held for another observer: this one's are delivered first.
    RecordingObserver other;
    hold_check(observer, first);
    hold_check(other, second);
    CHECK(observer.batches == 3);
    CHECK(other.batches == 0);
    deliver_held_checks();
    CHECK(other.batches == 1);
}

TEST_CASE("held checks: each thread holds its own") {
    RecordingObserver mine;
    RecordingObserver theirs;
    const CheckEvent event{"local", "mine", CheckVerdict::blocked, 1, 1};
    hold_check(mine, event);
    std::thread([&] {
        const CheckEvent other{"local", "theirs", CheckVerdict::blocked, 1, 1};
        hold_check(theirs, other);
        deliver_held_checks();
    }).join();
    CHECK(mine.seen.empty());
    REQUIRE(theirs.seen.size() == 1);
    deliver_held_checks();
    REQUIRE(mine.seen.size() == 1);
    CHECK(mine.seen[0].code == "mine");
}
