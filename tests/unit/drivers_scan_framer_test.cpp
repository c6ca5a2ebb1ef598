#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "drivers/scanner/scan_framer.hpp"

using piotd::drivers::ScanFramer;
using piotd::drivers::ScanFramerOptions;
using piotd::drivers::ScanSuffix;

namespace {

struct Collector {
    std::vector<std::string> frames;
    ScanFramer::Sink sink() {
        return [this](std::string_view f) { frames.emplace_back(f); };
    }
};

}  // namespace

TEST_SUITE("drivers.scan_framer") {
    TEST_CASE("CR suffix frames scans split across reads") {
        Collector c;
        ScanFramer framer({ScanSuffix::cr}, c.sink());
        framer.feed("0104670540176099215'W9Um\x1d");
        framer.feed("93dGVz\r01046");
        CHECK(c.frames.size() == 1);
        CHECK(c.frames[0] == std::string("0104670540176099215'W9Um\x1d"
                                         "93dGVz"));
        framer.feed("53820923088215GoNfWgdcBeVZ\r");
        REQUIRE(c.frames.size() == 2);
        CHECK(c.frames[1] == "0104653820923088215GoNfWgdcBeVZ");
        CHECK(framer.pending() == 0);
    }

    TEST_CASE("CRLF suffix keeps a lone CR and ignores empty frames") {
        Collector c;
        ScanFramer framer({ScanSuffix::crlf}, c.sink());
        framer.feed("ab\rc\r");
        framer.feed("\n\r\n");
        REQUIRE(c.frames.size() == 1);
        CHECK(c.frames[0] == "ab\rc");
    }

    TEST_CASE("custom suffix byte") {
        Collector c;
        ScanFramerOptions options{ScanSuffix::custom, '\x03', 64};
        ScanFramer framer(options, c.sink());
        framer.feed(
            std::string("code1\x03"
                        "code2\x03",
                        12));
        CHECK(c.frames == std::vector<std::string>{"code1", "code2"});
    }

    TEST_CASE("an overlong frame is dropped whole and the framer resynchronises") {
        Collector c;
        ScanFramerOptions options{ScanSuffix::lf, 0, 8};
        ScanFramer framer(options, c.sink());
        framer.feed("0123456789abcdef\nok\n");
        CHECK(framer.overflows() == 1);
        CHECK(c.frames == std::vector<std::string>{"ok"});
    }
}
