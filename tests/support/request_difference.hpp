// How two parsed requests differ, for the tests and the fuzzer that hold the plain-request scan
// (daemon/http/plain_request.hpp) to Beast's parser: "" when method, target, version, fields (in
// order, with the names as sent) and body are the same.
#pragma once

#include <iterator>
#include <string>

#include "daemon/http/http_types.hpp"

namespace piotd::test {

inline std::string request_difference(const daemon::Request& a, const daemon::Request& b) {
    if (a.method() != b.method()) return "method";
    if (a.method_string() != b.method_string()) return "method string";
    if (a.target() != b.target()) return "target";
    if (a.version() != b.version()) return "version";
    if (a.body() != b.body()) return "body";
    auto ai = a.begin();
    auto bi = b.begin();
    for (; ai != a.end() && bi != b.end(); ++ai, ++bi) {
        const std::string name(ai->name_string());
        if (ai->name() != bi->name()) return "field name of " + name;
        if (ai->name_string() != bi->name_string()) return "field name string of " + name;
        if (ai->value() != bi->value()) return "field value of " + name;
    }
    if (ai != a.end() || bi != b.end()) return "field count";
    return {};
}

}  // namespace piotd::test
