// The state of piotd_fake_local_module (a fake ЛМ ЧЗ, lm-api.md §3–5): its status, black lists,
// minimum prices, sold set, per-code extra fields, injected fault and counters, with the JSON
// answers of the LM API and the whole control API. No I/O here: fake_local_module.cpp serves it.
// Every member function is thread-safe (one mutex; the fake is not the thing being measured).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace piotd::fakes {

enum class LmStatus : std::uint8_t { not_configured, initialization, ready, sync_error };

std::string_view lm_status_name(LmStatus status);
std::optional<LmStatus> parse_lm_status(std::string_view text);

// What an /api/* request asks for; `other` is any path this API version does not serve.
enum class LmEndpoint : std::uint8_t { status, init, check, sell, ret, sold, other };

enum class LmFaultMode : std::uint8_t { none, slow, hang, drop, garbage, status, reset };

struct LmFault {
    LmFaultMode mode = LmFaultMode::none;
    unsigned delay_ms = 1000;
    unsigned status = 500;
    std::int64_t count = -1;  // requests still affected; -1: until cleared
    unsigned paths = 0;       // bit per LmEndpoint; 0 is "all"
};

struct LmOptions {
    int api = 2;
    LmStatus status = LmStatus::ready;
    unsigned init_ms = 0;  // initialization -> ready after init; 0: only by control
    std::string inst = "7a1b9bec-2f1e-4c4e-9d47-3b0c8e4f1a20";
    std::string version;  // empty: the default of the API version
};

// One HTTP answer: status and JSON body.
struct LmAnswer {
    unsigned status = 200;
    std::string body;
};

// A parsed check request: its codes, or the answer to a bad one.
struct LmCheckRequest {
    std::vector<std::string> codes;
    bool wrapped = false;  // POST: {"results":[…]}; GET: the flat object
    std::optional<LmAnswer> error;
};

struct LmInitResult {
    LmAnswer answer;
    // Set when the caller must call finish_init(*ready_generation) after init_ms.
    std::optional<std::uint64_t> ready_generation;
};

std::string lm_error_body(unsigned status, std::string_view description, int error_code = 0);
std::string random_uuid_v4();

class LmState {
public:
    explicit LmState(LmOptions options);

    int api() const { return api_; }
    unsigned init_ms() const { return init_ms_; }

    // ---- bookkeeping of every /api/* request (before authentication)
    void count_request(LmEndpoint endpoint);
    void count_unauthorized() { unauthorized_.fetch_add(1); }
    void count_connection() { connections_.fetch_add(1); }
    void record_client_id(std::string_view id);
    // The fault this authenticated request suffers (mode none for most), counted against `count`.
    LmFault take_fault(LmEndpoint endpoint);

    // ---- the LM API (authenticated)
    LmAnswer status_answer();
    LmInitResult init(std::string_view body);
    void finish_init(std::uint64_t generation);  // initialization -> ready, unless changed since
    // A check is read and its codes recorded (stats checkedCodes) when it arrives, before any
    // fault, so a test sees what a client asked for even when the answer never came.
    LmCheckRequest read_check_get(std::string_view query);
    LmCheckRequest read_check_post(std::string_view body);
    LmAnswer check(const LmCheckRequest& request);
    LmAnswer sale(std::string_view body, bool sell);
    LmAnswer sold(std::string_view query);

    // ---- the control API: `action` is the path after /control/
    LmAnswer control(std::string_view action, bool post, std::string_view query,
                     std::string_view body);

private:
    struct ExtraField {
        std::string name;
        std::string json;  // the value, serialised
    };
    using Extras = std::vector<ExtraField>;

    void record_checked(const std::vector<std::string>& codes);
    void write_status_locked(std::string& out, std::int64_t now) const;
    std::string check_object_locked(const std::vector<std::string>& codes) const;
    void set_status_locked(LmStatus status);
    void lists_changed_locked();

    LmAnswer control_block(std::string_view query, std::string_view body, bool add);
    LmAnswer control_min_price(std::string_view body);
    LmAnswer control_code(std::string_view body);
    LmAnswer control_status(std::string_view body);
    LmAnswer control_fault(std::string_view body);
    LmAnswer fault_answer_locked() const;
    LmAnswer stats_answer();
    void reset_counters();

    const int api_;
    const unsigned init_ms_;

    mutable std::mutex mutex_;
    LmStatus status_;
    std::uint64_t status_generation_ = 0;  // bumped on every status change: stale init timers
    std::string version_;
    std::string inst_;
    std::string inn_ = "7700000001";
    std::string operation_mode_ = "active";
    std::string db_version_;
    std::int64_t last_sync_ = 0;
    std::int64_t last_update_ = 0;
    bool requires_download_ = false;
    bool is_grey_gtin_ = false;

    std::unordered_set<std::string> blocked_cis_;
    std::unordered_set<std::string> blocked_gtin_;
    std::unordered_map<std::string, std::uint64_t> min_price_;  // GTIN-14 -> kopecks
    std::unordered_map<std::string, Extras> extras_;            // by cis
    std::set<std::string> sold_;  // ordered, so /cis/sold pages are stable

    LmFault fault_;

    std::deque<std::string> checked_codes_;  // the last kCheckedCodesKept
    std::vector<std::string> client_ids_;    // distinct, in first-seen order
    std::unordered_set<std::string> client_id_set_;
    std::string last_init_token_;

    std::atomic<std::uint64_t> requests_[7] = {};  // by LmEndpoint
    std::atomic<std::uint64_t> unauthorized_{0};
    std::atomic<std::uint64_t> faulted_{0};
    std::atomic<std::uint64_t> connections_{0};
};

}  // namespace piotd::fakes
