// The POS clients seen (X-ClientId, ТС ПИоТ client_info) that /status lists.
#include <doctest/doctest.h>

#include <string>

#include "daemon/lm/client_registry.hpp"

using piotd::daemon::ClientRegistry;

TEST_SUITE("daemon.client_registry") {
    TEST_CASE("X-ClientId values: printable ASCII only, counted per id") {
        ClientRegistry clients;
        clients.record("7284440700391860", 1);
        clients.record("7284440700391860", 2);
        clients.record("has space", 3);
        clients.record(std::string(ClientRegistry::kMaxIdLength + 1, 'x'), 4);
        const auto seen = clients.snapshot();
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].requests == 2);
        CHECK(seen[0].last_seen_ms == 2);
    }

    TEST_CASE("ТС ПИоТ client_info is recorded, its free text made printable and bounded") {
        ClientRegistry clients;
        clients.record_client_info("Frontol 6", "6.2.1", "c1", 10);
        clients.record_client_info("Касса", "", "", 11);
        clients.record_client_info(std::string(200, 'n'), "1", "id", 12);
        const auto seen = clients.snapshot();
        REQUIRE(seen.size() == 3);
        CHECK(seen[0].id == "Frontol_6/6.2.1#c1");
        CHECK(seen[1].id == std::string(10, '_'));  // 5 Cyrillic letters, 2 bytes each
        CHECK(seen[2].id == std::string(ClientRegistry::kMaxIdLength, 'n'));
    }
}
