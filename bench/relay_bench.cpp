// The document relay's figures (docs/relay.md): enqueue of one LM sale (sold set + outbox, one
// fsync'd transaction) p50/p99, batched enqueue in documents/s, and relay throughput to a
// loopback upstream (piotd_fake_document_sink) in documents/s.
// Usage: piotd_relay_bench SINK_PORT [DATA_DIR] (default: a fresh temp dir, removed at the end).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "daemon/clock.hpp"
#include "daemon/config.hpp"
#include "daemon/local_module.hpp"
#include "daemon/relay/document_intake.hpp"
#include "daemon/relay/document_transport.hpp"
#include "daemon/relay/relay.hpp"
#include "protocol/documents/relay_document.hpp"
#include "storage/outbox.hpp"
#include "storage/transaction.hpp"

namespace {

using namespace piotd;
using SteadyClock = std::chrono::steady_clock;

constexpr int kSingleSales = 2'000;
constexpr int kBatched = 50'000;
constexpr int kBatch = 500;

std::string code(int n) {
    char serial[16];
    std::snprintf(serial, sizeof serial, "%013d", n);
    return std::string("010460358601467421") + serial;
}

double ms_since(SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: piotd_relay_bench SINK_PORT [DATA_DIR]\n");
        return 2;
    }
    const std::string url = std::string("http://127.0.0.1:") + argv[1];
    const bool own_dir = argc < 3;
    const std::filesystem::path dir = own_dir
                                          ? std::filesystem::temp_directory_path() /
                                                ("piotd-relay-bench-" + std::to_string(::getpid()))
                                          : std::filesystem::path(argv[2]);

    daemon::Config config;
    config.data_dir = dir;
    config.map_size_mb = 2048;
    config.relay.url = url;
    daemon::Clock clock;
    daemon::LocalModule module(config, clock);
    storage::Outbox outbox(module.env());
    daemon::DocumentIntake intake(module, outbox, config.relay, nullptr, [] {});

    // 0. The disk's floor: one 4 KiB write + fdatasync in the data dir. An LMDB commit makes two
    // of them (the data pages, then the meta page), so it cannot be faster than twice this.
    {
        const auto path = dir / "fsync-floor";
        const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
        std::vector<double> sync_ms;
        const std::string page(4096, 'x');
        for (int i = 0; i < 200; ++i) {
            if (::pwrite(fd, page.data(), page.size(), (i % 16) * 4096) < 0) return 1;
            const auto start = SteadyClock::now();
            ::fdatasync(fd);
            sync_ms.push_back(ms_since(start));
        }
        ::close(fd);
        std::filesystem::remove(path);
        std::sort(sync_ms.begin(), sync_ms.end());
        std::printf("disk floor, 4 KiB write + fdatasync: p50 %.3f ms, p99 %.3f ms\n",
                    sync_ms[sync_ms.size() / 2], sync_ms[sync_ms.size() * 99 / 100]);
    }

    // 1. One LM sale at a time, as a till makes them: each is its own fsync'd commit.
    std::vector<double> ms;
    ms.reserve(kSingleSales);
    for (int i = 0; i < kSingleSales; ++i) {
        const auto start = SteadyClock::now();
        const auto submitted = intake.sale({{code(i), std::nullopt, std::nullopt, std::nullopt}},
                                           {}, protocol::DocumentType::withdrawal);
        ms.push_back(ms_since(start));
        if (!submitted.any_success()) return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("enqueue one sale (sold set + outbox, fsync'd): p50 %.3f ms, p99 %.3f ms (%d)\n",
                ms[ms.size() / 2], ms[ms.size() * 99 / 100], kSingleSales);

    // 2. Batched: kBatch documents per transaction (a store taking a till's backlog).
    const auto batched_start = SteadyClock::now();
    for (int done = 0; done < kBatched;) {
        storage::WriteTxn txn(module.env());
        for (int i = 0; i < kBatch; ++i, ++done) {
            protocol::RelayDocument document;
            document.id = "batch-" + std::to_string(done);
            document.origin = protocol::DocumentOrigin::lm;
            document.items.push_back({code(1'000'000 + done), std::nullopt, 1, std::nullopt});
            module.lists().mark_sold(txn, document.items[0].cis);
            storage::OutboxRecord record;
            record.id = document.id;
            record.document = protocol::write_document(document);
            record.created_ms = clock.now_ms();
            outbox.enqueue(txn, std::move(record));
        }
        txn.commit();
    }
    const double batched_ms = ms_since(batched_start);
    std::printf("batched enqueue (%d per transaction): %.0f documents/s (%d in %.0f ms)\n", kBatch,
                kBatched / (batched_ms / 1000), kBatched, batched_ms);

    // 3. Relay everything queued to the loopback sink.
    const std::size_t total = outbox.counts().queued;
    daemon::Relay relay(outbox, config.relay, clock,
                        daemon::make_piotd_sender(daemon::make_document_transport(
                            url, "admin", "admin", std::chrono::milliseconds(5000), "")));
    const auto relay_start = SteadyClock::now();
    relay.start();
    for (;;) {
        const auto counts = outbox.counts();
        if (counts.queued + counts.rejected == 0) break;
        if (ms_since(relay_start) > 120'000) {
            std::fprintf(stderr, "relay did not finish: %zu left\n", counts.queued);
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double relay_ms = ms_since(relay_start);
    relay.stop();
    std::printf("relay to a loopback upstream: %.0f documents/s (%zu in %.0f ms)\n",
                static_cast<double>(total) / (relay_ms / 1000), total, relay_ms);
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
}
