#include "tests/fakes/fake_fault.hpp"

#include <rapidjson/document.h>

#include "protocol/json/json_writer.hpp"

namespace piotd::fakes {

namespace {

constexpr unsigned bit(Endpoint endpoint) {
    return 1U << static_cast<unsigned>(endpoint);
}

FaultParse reject(std::string error) {
    FaultParse result;
    result.error = std::move(error);
    return result;
}

bool parse_paths(std::string_view text, unsigned& paths) {
    paths = 0;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view name = text.substr(0, comma);
        if (name == "all") {
            paths |= bit(Endpoint::state) | bit(Endpoint::snapshot) | bit(Endpoint::changes);
        } else if (name == "state") {
            paths |= bit(Endpoint::state);
        } else if (name == "snapshot") {
            paths |= bit(Endpoint::snapshot);
        } else if (name == "changes") {
            paths |= bit(Endpoint::changes);
        } else {
            return false;
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return paths != 0;
}

}  // namespace

std::string_view fault_mode_name(FaultMode mode) {
    switch (mode) {
        case FaultMode::none:
            return "none";
        case FaultMode::slow:
            return "slow";
        case FaultMode::status:
            return "status";
        case FaultMode::drop:
            return "drop";
        case FaultMode::garbage:
            return "garbage";
        case FaultMode::truncate:
            return "truncate";
    }
    return "none";
}

FaultParse parse_fault(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject())
        return reject("body is not a JSON object");
    Fault fault;
    const auto mode = document.FindMember("mode");
    if (mode == document.MemberEnd() || !mode->value.IsString()) return reject("mode is required");
    const std::string_view mode_name(mode->value.GetString(), mode->value.GetStringLength());
    bool known = false;
    for (const FaultMode candidate : {FaultMode::none, FaultMode::slow, FaultMode::status,
                                      FaultMode::drop, FaultMode::garbage, FaultMode::truncate}) {
        if (fault_mode_name(candidate) == mode_name) {
            fault.mode = candidate;
            known = true;
        }
    }
    if (!known) return reject("unknown mode");
    if (const auto it = document.FindMember("status"); it != document.MemberEnd()) {
        if (!it->value.IsUint() || it->value.GetUint() < 100 || it->value.GetUint() > 599) {
            return reject("status must be an HTTP status 100..599");
        }
        fault.status = it->value.GetUint();
    }
    if (const auto it = document.FindMember("delay_ms"); it != document.MemberEnd()) {
        if (!it->value.IsUint()) return reject("delay_ms must be a non-negative integer");
        fault.delay = std::chrono::milliseconds(it->value.GetUint());
    }
    if (const auto it = document.FindMember("after_bytes"); it != document.MemberEnd()) {
        if (!it->value.IsUint64()) return reject("after_bytes must be a non-negative integer");
        fault.after_bytes = it->value.GetUint64();
    }
    if (const auto it = document.FindMember("count"); it != document.MemberEnd()) {
        if (!it->value.IsInt64() || it->value.GetInt64() < -1) {
            return reject("count must be -1 or a non-negative integer");
        }
        fault.count = it->value.GetInt64();
    }
    if (const auto it = document.FindMember("paths"); it != document.MemberEnd()) {
        if (!it->value.IsString() ||
            !parse_paths({it->value.GetString(), it->value.GetStringLength()}, fault.paths)) {
            return reject("paths must be snapshot, changes, state, all or a comma list of them");
        }
    }
    if (const auto it = document.FindMember("retry_after_s"); it != document.MemberEnd()) {
        if (!it->value.IsUint()) return reject("retry_after_s must be a non-negative integer");
        fault.retry_after_s = it->value.GetUint();
    }
    if (fault.count == 0) fault.mode = FaultMode::none;
    FaultParse result;
    result.ok = true;
    result.fault = fault;
    return result;
}

void FaultPlan::set(const Fault& fault) {
    const std::lock_guard lock(mutex_);
    fault_ = fault;
}

Fault FaultPlan::take(Endpoint endpoint) {
    const std::lock_guard lock(mutex_);
    if (fault_.mode == FaultMode::none || (fault_.paths & bit(endpoint)) == 0) return Fault{};
    Fault applied = fault_;
    if (fault_.count > 0 && --fault_.count == 0) fault_ = Fault{};
    return applied;
}

std::string FaultPlan::to_json() const {
    const std::lock_guard lock(mutex_);
    piotd::protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    writer.StartObject();
    protocol::write_key(writer, "mode");
    protocol::write_string(writer, fault_mode_name(fault_.mode));
    protocol::write_key(writer, "status");
    writer.Uint(fault_.status);
    protocol::write_key(writer, "delay_ms");
    writer.Int64(fault_.delay.count());
    protocol::write_key(writer, "after_bytes");
    writer.Uint64(fault_.after_bytes);
    protocol::write_key(writer, "count");
    writer.Int64(fault_.count);
    protocol::write_key(writer, "retry_after_s");
    writer.Uint(fault_.retry_after_s);
    protocol::write_key(writer, "paths");
    std::string paths;
    for (const auto& [endpoint, name] :
         {std::pair{Endpoint::state, "state"}, std::pair{Endpoint::snapshot, "snapshot"},
          std::pair{Endpoint::changes, "changes"}}) {
        if ((fault_.paths & bit(endpoint)) == 0) continue;
        if (!paths.empty()) paths += ',';
        paths += name;
    }
    protocol::write_string(writer, paths);
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::fakes
