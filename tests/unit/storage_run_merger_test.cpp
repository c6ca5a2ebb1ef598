// Sorted runs on disk and their merge (storage/run_file.hpp, storage/run_merger.hpp).
#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/run_file.hpp"
#include "storage/run_merger.hpp"
#include "storage/storage_error.hpp"
#include "storage_test_support.hpp"

using namespace piotd::storage;
using piotd::storage::test::TempDir;

namespace {

bool dir_is_empty(const std::filesystem::path& dir) {
    return std::filesystem::directory_iterator(dir) == std::filesystem::directory_iterator();
}

// A run file holding `items` (already in key order).
RunFile write_run(const std::filesystem::path& dir,
                  const std::map<std::string, std::string>& items) {
    RunFile run(dir);
    for (const auto& [key, value] : items) run.write(key, value);
    run.finish_writing();
    return run;
}

}  // namespace

TEST_SUITE("storage.run_merger") {
    TEST_CASE("a run file reads back what was written and has no name in its directory") {
        TempDir dir;
        std::filesystem::create_directories(dir.path());
        std::vector<std::pair<std::string, std::string>> written;
        {
            RunFile run(dir.path());
            // Larger than the write buffer, and records bigger than the read buffer below.
            for (int i = 0;
                 run.bytes() + RunFile::kWriteBufferBytes / 2 < 3 * RunFile::kWriteBufferBytes;
                 ++i) {
                std::string key = "key" + std::to_string(1'000'000 + i);
                if (i % 1000 == 0) key += std::string(300, 'k');
                written.emplace_back(key, i % 3 == 0 ? std::string("\x01\x00\xff\x7f", 4) : "");
                run.write(written.back().first, written.back().second);
                if (i % 50'000 == 0) CHECK(dir_is_empty(dir.path()));
            }
            run.finish_writing();
            CHECK(run.records() == written.size());
            CHECK(dir_is_empty(dir.path()));

            run.start_reading(100);
            std::vector<std::pair<std::string, std::string>> read;
            while (run.next()) read.emplace_back(run.key(), run.value());
            CHECK(read == written);
        }
        CHECK(dir_is_empty(dir.path()));
    }

    TEST_CASE("an empty run ends at once") {
        TempDir dir;
        std::filesystem::create_directories(dir.path());
        RunFile run(dir.path());
        run.finish_writing();
        run.start_reading(1 << 16);
        CHECK_FALSE(run.next());
    }

    TEST_CASE("no directory: a storage error naming it") {
        TempDir dir;  // never created
        try {
            RunFile run(dir.path());
            FAIL("a run file was made in a missing directory");
        } catch (const StorageError& e) {
            CHECK(std::string(e.what()).find(dir.path().string()) != std::string::npos);
            CHECK(e.mdb_code() == ENOENT);
        }
    }

    TEST_CASE("merged in key order; a key in several runs comes from the latest") {
        TempDir dir;
        std::filesystem::create_directories(dir.path());
        std::mt19937 rng(11);
        std::map<std::string, std::string> expected;
        std::vector<RunFile> runs;
        std::size_t total = 0;
        for (int r = 0; r < 7; ++r) {
            std::map<std::string, std::string> run;
            for (int i = 0; i < 3000; ++i) {
                // Keys repeat across runs (a few thousand possible), some are prefixes of others.
                std::string key = "04600" + std::to_string(rng() % 5000);
                if (rng() % 4 == 0) key.pop_back();
                run[key] = "run" + std::to_string(r);
            }
            for (const auto& [key, value] : run) expected[key] = value;
            total += run.size();
            runs.push_back(write_run(dir.path(), run));
        }
        runs.push_back(write_run(dir.path(), {}));  // an empty run changes nothing

        RunMerger merger(runs, 256);
        auto it = expected.begin();
        std::size_t merged = 0;
        while (merger.next()) {
            REQUIRE(it != expected.end());
            CHECK(merger.key() == it->first);
            CHECK(merger.value() == it->second);
            ++it;
            ++merged;
        }
        CHECK(it == expected.end());
        CHECK(merged == expected.size());
        CHECK(merger.duplicates() == total - expected.size());
        CHECK_FALSE(merger.next());
    }
}
