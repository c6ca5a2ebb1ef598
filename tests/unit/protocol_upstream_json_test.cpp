// Upstream JSON is parsed iteratively and refused when nested deeper than 32 levels, before any
// DOM is built: the True API's answers, the replication feed, the document relay's answers.
#include <doctest/doctest.h>

#include <string>

#include "protocol/documents/replication_feed.hpp"
#include "protocol/trueapi/true_api_check.hpp"
#include "protocol/trueapi/true_api_document.hpp"
#include "protocol/json/upstream_json.hpp"

using namespace piotd::protocol;

namespace {

std::string nested(unsigned depth, const std::string& inner = "1") {
    return std::string(depth, '[') + inner + std::string(depth, ']');
}

}  // namespace

TEST_SUITE("protocol.upstream_json") {
    TEST_CASE("the nesting depth scan ignores brackets in strings and stops past the limit") {
        CHECK(json_nesting_depth(R"({"a":[1,{"b":"[[[[{"}]})") == 0);
        CHECK(json_nesting_depth(R"({"a":"\"[[["})") == 0);
        CHECK(json_nesting_depth(nested(32)) == 0);
        CHECK(json_nesting_depth(nested(1'000'000)) == kMaxUpstreamJsonDepth + 1);
        rapidjson::Document document;
        CHECK(parse_upstream_json(nested(32), document));
        CHECK_FALSE(parse_upstream_json(nested(33), document));
        CHECK_FALSE(parse_upstream_json("{nope", document));
        CHECK_FALSE(parse_upstream_json("", document));
    }

    TEST_CASE("every upstream parser refuses an answer nested past the limit") {
        const std::string deep = R"({"code":0,"x":)" + nested(40) + "}";
        CHECK(parse_true_api_check_answer(deep).error == TrueApiAnswerError::invalid_json);
        ChangePage page;
        CHECK_FALSE(decode_change_page(deep, page).ok);
        SnapshotLine line;
        CHECK_FALSE(decode_snapshot_line(nested(40, R"("a")"), line).ok);
        CHECK_FALSE(parse_created_id(R"({"id":)" + nested(40) + "}"));
        CHECK(true_api_error_text(R"({"error_message":"x","y":)" + nested(40) + "}") != "x");
        // Within the limit they read as before.
        CHECK(parse_created_id(R"({"id":"doc-1"})") == "doc-1");
        CHECK(true_api_error_text(R"({"error_message":"x"})") == "x");
    }
}
