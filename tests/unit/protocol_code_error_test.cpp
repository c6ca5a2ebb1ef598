// Names and messages of code errors (protocol/codes/code_error.hpp): the names are API, so they must be
// stable, unique and snake_case; every value needs a message.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "protocol/codes/code_error.hpp"

using namespace piotd::protocol;

TEST_SUITE("protocol.code_error") {
    TEST_CASE("every value has a unique snake_case name and a message") {
        std::set<std::string> names;
        const auto last = static_cast<int>(CodeError::incomplete_crypto);
        for (int i = 0; i <= last; ++i) {
            const auto error = static_cast<CodeError>(i);
            const std::string_view name = code_error_name(error);
            CAPTURE(name);
            CHECK(!name.empty());
            CHECK(name != "unknown");
            for (const char c : name) CHECK(((c >= 'a' && c <= 'z') || c == '_'));
            CHECK(names.insert(std::string(name)).second);
            CHECK(code_error_message(error).size() > 10);
        }
        CHECK(code_error_name(CodeError::gs_missing_ambiguous) == "gs_missing_ambiguous");
        CHECK(code_error_name(CodeError::bad_character) == "bad_character");
        CHECK(code_error_name(CodeError::none) == "none");
        CHECK(code_error_message(CodeError::gs_missing_ambiguous).find("GS") !=
              std::string_view::npos);
    }
}
