// Helpers shared by the storage unit tests: a scratch data dir, an opened data dir with its
// black lists, and deterministic codes.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "storage/black_lists.hpp"
#include "storage/environment.hpp"

namespace piotd::storage::test {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("piotd-storage-test-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)));
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Real-shaped КИ (01 + GTIN-14 + 21 + 13-character serial); the same seed gives the same codes.
class Codes {
public:
    explicit Codes(unsigned long seed) : rng_(seed) {}

    std::string gtin14() {
        std::string digits = "0460";
        for (int i = 0; i < 9; ++i) digits += static_cast<char>('0' + rng_() % 10);
        int sum = 0;
        for (int i = 0; i < 13; ++i) {
            const int d = digits[static_cast<std::size_t>(12 - i)] - '0';
            sum += (i % 2 == 0) ? d * 3 : d;
        }
        digits += static_cast<char>('0' + (10 - sum % 10) % 10);
        return digits;
    }

    std::string ki() { return ki_for(gtin14()); }

    std::string ki_for(std::string_view gtin, std::string_view serial_prefix = {}) {
        // CSET 82 without % < > \ ' " so no serial reads as an escaped GS ("%1D", "<GS>").
        static constexpr std::string_view kAlphabet =
            "!()*+,-.0123456789:;=?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        std::string code = "01" + std::string(gtin) + "21" + std::string(serial_prefix);
        while (code.size() < 31) code += kAlphabet[rng_() % kAlphabet.size()];
        return code;
    }

    // As a scanner sends it: the КИ, GS, and a short crypto tail.
    static std::string with_tail(std::string_view ki) {
        return std::string(ki) +
               "\x1d"
               "93dGVz";
    }

private:
    std::mt19937_64 rng_;
};

// A data dir with its environment and lists, reopened at will (as after a restart or kill -9:
// nothing runs between the last commit and the reopen).
struct Module {
    TempDir dir;
    EnvironmentOptions options;
    std::unique_ptr<Environment> env;
    std::unique_ptr<BlackLists> lists;

    Module() {
        options.dir = dir.path();
        options.map_size = std::size_t{256} << 20;
        open();
    }
    void open() {
        lists.reset();
        env.reset();
        env = std::make_unique<Environment>(options);
        lists = std::make_unique<BlackLists>(*env);
    }
};

// `n` КИ from the generator seeded with `seed`.
inline std::vector<std::string> kis(unsigned long seed, std::size_t n) {
    Codes codes(seed);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(codes.ki());
    return out;
}

}  // namespace piotd::storage::test
