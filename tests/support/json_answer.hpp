// Reading the daemon's JSON answers in integration tests.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

namespace piotd::test {

// The body as a JSON object; the test stops when it is not one.
inline rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str(), body.size());
    REQUIRE_MESSAGE((!document.HasParseError() && document.IsObject()), "not JSON: " << body);
    return document;
}

// A string value, or "" for anything else.
inline std::string str(const rapidjson::Value& value) {
    return value.IsString() ? std::string(value.GetString(), value.GetStringLength()) : "";
}

}  // namespace piotd::test
