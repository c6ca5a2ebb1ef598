// The serial layer and the scanner driver against a pseudo-terminal: framing across reads, GS,
// Cyrillic layout, suffix-less scanners, unplug and replug, and the clear errors.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "drivers/scanner/scanner.hpp"
#include "drivers/serial/serial_link.hpp"
#include "drivers/serial/serial_port.hpp"
#include "drivers/serial/serial_settings.hpp"
#include "drivers/serial/termios_speed.hpp"
#include "tests/support/pty_pair.hpp"

using namespace piotd::drivers;
using namespace std::chrono_literals;
using piotd::test::PtyPair;

namespace {

struct TempDirectory {
    std::filesystem::path path;
    TempDirectory() {
        char name[] = "/tmp/piotd-scanner-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDirectory() { std::filesystem::remove_all(path); }
};

// Runs an io_context on its own thread for the test's lifetime.
struct IoThread {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};
    std::thread thread{[this] { io.run(); }};
    ~IoThread() { stop(); }
    void stop() {
        work.reset();
        io.stop();
        if (thread.joinable()) thread.join();
    }
};

struct Recorder : ScanListener {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Scan> scans;
    std::vector<std::string> connects;
    std::vector<SerialError> errors;

    void on_scan(const Scan& scan) override {
        std::lock_guard lock(mutex);
        scans.push_back(scan);
        changed.notify_all();
    }
    void on_connected(const std::string& path) override {
        std::lock_guard lock(mutex);
        connects.push_back(path);
        changed.notify_all();
    }
    void on_disconnected(const SerialError& error) override {
        std::lock_guard lock(mutex);
        errors.push_back(error);
        changed.notify_all();
    }
    template <class Predicate>
    bool wait(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return predicate(*this); });
    }
};

ScannerOptions options_for(const PtyPair& pty, ScanSuffix suffix = ScanSuffix::cr) {
    ScannerOptions options;
    options.device = *parse_serial_device(pty.link().string());
    options.framing.suffix = suffix;
    options.reconnect.initial = 20ms;
    options.reconnect.max = 200ms;
    return options;
}

const std::string kDairy =
    "0104670540176099215'W9Um\x1d"
    "93dGVz";
const std::string kWater =
    "0104653820923088215GoNfWgdcBeVZ\x1d"
    "93dGVz";

}  // namespace

TEST_SUITE("drivers.serial") {
    TEST_CASE("one table of rates: every standard rate has its termios speed, others none") {
        // The scanner and the register's tty share it, so they accept the same rates.
        for (unsigned baud = 0; baud <= 4'000'000; baud += (baud < 1'000'000 ? 50 : 500)) {
            INFO("baud " << baud);
            CHECK((piotd::drivers::termios_speed(baud) != B0) ==
                  piotd::drivers::is_standard_baud(baud));
        }
        CHECK(piotd::drivers::termios_speed(9600) == B9600);
        CHECK(piotd::drivers::termios_speed(115200) == B115200);
        CHECK(piotd::drivers::termios_speed(4'000'000) == B4000000);
        CHECK(piotd::drivers::termios_speed(1234) == B0);
    }

    TEST_CASE("device text: path or USB id") {
        CHECK(parse_serial_device("/dev/ttyACM0")->path == "/dev/ttyACM0");
        const auto usb = parse_serial_device("0c2e:0b61");
        REQUIRE(usb);
        CHECK(usb->by_usb_id());
        CHECK(*usb->usb_vid == 0x0c2e);
        CHECK(*usb->usb_pid == 0x0b61);
        CHECK(usb->describe() == "usb:0c2e:0b61");
        CHECK(parse_serial_device("usb:1EAB:1a03")->describe() == "usb:1eab:1a03");
        CHECK_FALSE(parse_serial_device("usb:12"));
        CHECK_FALSE(parse_serial_device(""));
        CHECK(parse_parity("even") == Parity::even);
        CHECK_FALSE(parse_parity("evn"));
        CHECK(parse_flow_control("rts_cts") == FlowControl::rts_cts);
    }

    TEST_CASE("clear errors: missing, not a tty, busy, bad settings, unknown USB id") {
        TempDirectory dir;
        boost::asio::io_context io;
        SerialPort port(io.get_executor());

        auto error = port.open(*parse_serial_device((dir.path / "nothing").string()), {});
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::not_found);
        CHECK(error->message.find("nothing") != std::string::npos);

        error = port.open(*parse_serial_device(dir.path.string()), {});
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::not_a_serial_port);

        error = port.open(*parse_serial_device("/dev/null"), {});
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::not_a_serial_port);

        error = port.open(*parse_serial_device("ffff:fffe"), {});
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::not_found);
        CHECK(error->message.find("usb:ffff:fffe") != std::string::npos);

        PtyPair pty(dir.path / "tty");
        SerialSettings bad;
        bad.baud = 12345;
        error = port.open(*parse_serial_device(pty.link().string()), bad);
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::bad_settings);

        REQUIRE_FALSE(port.open(*parse_serial_device(pty.link().string()), {}));
        CHECK(port.is_open());
        SerialPort second(io.get_executor());
        error = second.open(*parse_serial_device(pty.link().string()), {});
        REQUIRE(error);
        CHECK(error->kind == SerialErrorKind::busy);
        port.close();
        CHECK_FALSE(second.open(*parse_serial_device(pty.link().string()), {}));
    }

    TEST_CASE("permission denied is reported as such") {
        if (::geteuid() != 0) return;  // needs to drop to another user
        TempDirectory dir;
        PtyPair pty(dir.path / "tty");
        ::chmod(pty.slave_path().c_str(), 0600);
        const pid_t child = ::fork();
        if (child == 0) {
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
            boost::asio::io_context io;
            SerialPort port(io.get_executor());
            const auto error = port.open(*parse_serial_device(pty.slave_path()), {});
            ::_exit(error && error->kind == SerialErrorKind::permission_denied ? 0 : 1);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    TEST_CASE("a link writes to the device and reconnects after a replug") {
        TempDirectory dir;
        PtyPair pty(dir.path / "tty");
        IoThread io;
        std::mutex mutex;
        std::condition_variable changed;
        std::string received;
        int connects = 0;
        int losses = 0;
        SerialLink link(io.io.get_executor(), *parse_serial_device(pty.link().string()), {},
                        ReconnectPolicy{20ms, 100ms},
                        SerialLinkCallbacks{[&](const std::string&) {
                                                std::lock_guard lock(mutex);
                                                ++connects;
                                                changed.notify_all();
                                            },
                                            [&](const SerialError&) {
                                                std::lock_guard lock(mutex);
                                                ++losses;
                                                changed.notify_all();
                                            },
                                            [&](std::string_view bytes) {
                                                std::lock_guard lock(mutex);
                                                received.append(bytes);
                                                changed.notify_all();
                                            }});
        link.start();
        const auto wait = [&](auto predicate) {
            std::unique_lock lock(mutex);
            return changed.wait_for(lock, 5s, predicate);
        };
        REQUIRE(wait([&] { return connects == 1; }));
        link.write("\x02\x05\x10\x03");
        CHECK(pty.read(2000) == "\x02\x05\x10\x03");
        pty.write("ACK");
        REQUIRE(wait([&] { return received == "ACK"; }));
        pty.unplug();
        REQUIRE(wait([&] { return losses == 1; }));
        CHECK_FALSE(link.status().connected);
        REQUIRE(link.status().last_error);
        CHECK(link.status().last_error->kind == SerialErrorKind::disconnected);
        pty.replug();
        REQUIRE(wait([&] { return connects == 2; }));
        CHECK(link.status().connected);
        CHECK(link.status().connects == 2);
        pty.write("again");
        REQUIRE(wait([&] { return received == "ACKagain"; }));
        link.stop();
        io.stop();
    }
}

TEST_SUITE("drivers.scanner") {
    TEST_CASE("scans framed by CR, split across reads, with and without GS") {
        TempDirectory dir;
        PtyPair pty(dir.path / "scanner");
        Recorder recorder;
        IoThread io;
        Scanner scanner(io.io.get_executor(), options_for(pty), recorder);
        scanner.start();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 1; }));

        pty.write(kDairy.substr(0, 10));
        std::this_thread::sleep_for(30ms);
        pty.write(kDairy.substr(10) + "\r" + kWater.substr(0, 5));
        std::this_thread::sleep_for(30ms);
        pty.write(kWater.substr(5) + "\r");
        // GS lost by a mis-set scanner: recovered from fixed lengths.
        pty.write("0104670540176099215'W9Um93dGVz\r");
        REQUIRE(recorder.wait([](auto& r) { return r.scans.size() == 3; }));
        std::lock_guard lock(recorder.mutex);
        CHECK(recorder.scans[0].raw == kDairy);
        REQUIRE(recorder.scans[0].parsed);
        CHECK(recorder.scans[0].parsed.code.full() == kDairy);
        CHECK(recorder.scans[0].parsed.code.ki() == "0104670540176099215'W9Um");
        CHECK_FALSE(recorder.scans[0].parsed.code.repairs().any());
        CHECK(recorder.scans[1].raw == kWater);
        CHECK(recorder.scans[1].parsed.code.full() == kWater);
        REQUIRE(recorder.scans[2].parsed);
        CHECK(recorder.scans[2].parsed.code.full() == kDairy);
        CHECK(recorder.scans[2].parsed.code.repairs().gs_recovered);
        io.stop();
    }

    TEST_CASE("Cyrillic layout garbage is mapped back, AIM prefix stripped, junk rejected") {
        TempDirectory dir;
        PtyPair pty(dir.path / "scanner");
        Recorder recorder;
        IoThread io;
        Scanner scanner(io.io.get_executor(), options_for(pty, ScanSuffix::crlf), recorder);
        scanner.start();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 1; }));
        // 0104601662000016215RNef*<GS>93B0Ik typed with the Russian layout active:
        // R->К N->Т e->у f->а B->И I->Ш k->л.
        pty.write(
            "0104601662000016215\xd0\x9a\xd0\xa2\xd1\x83\xd0\xb0*\x1d"
            "93\xd0\x98"
            "0"
            "\xd0\xa8\xd0\xbb\r\n");
        pty.write("]d2" + kDairy + "\r\n");
        pty.write("hello world\r\n");
        REQUIRE(recorder.wait([](auto& r) { return r.scans.size() == 3; }));
        std::lock_guard lock(recorder.mutex);
        REQUIRE(recorder.scans[0].parsed);
        CHECK(recorder.scans[0].parsed.code.full() == std::string("0104601662000016215RNef*\x1d"
                                                                  "93B0Ik"));
        CHECK(recorder.scans[0].parsed.code.repairs().layout_repaired);
        REQUIRE(recorder.scans[1].parsed);
        CHECK(recorder.scans[1].parsed.code.full() == kDairy);
        CHECK(recorder.scans[1].parsed.code.repairs().aim_prefix_stripped);
        CHECK_FALSE(recorder.scans[2].parsed);
        CHECK(recorder.scans[2].raw == "hello world");
        io.stop();
    }

    TEST_CASE("STX/ETX wrap: ETX as the suffix byte, STX stripped before parsing") {
        TempDirectory dir;
        PtyPair pty(dir.path / "scanner");
        Recorder recorder;
        IoThread io;
        ScannerOptions options = options_for(pty, ScanSuffix::custom);
        options.framing.custom_byte = '\x03';
        options.strip_prefix = '\x02';
        Scanner scanner(io.io.get_executor(), options, recorder);
        scanner.start();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 1; }));
        pty.write("\x02" + kDairy + "\x03\x02" + kWater + "\x03");
        REQUIRE(recorder.wait([](auto& r) { return r.scans.size() == 2; }));
        std::lock_guard lock(recorder.mutex);
        CHECK(recorder.scans[0].raw == "\x02" + kDairy);
        REQUIRE(recorder.scans[0].parsed);
        CHECK(recorder.scans[0].parsed.code.full() == kDairy);
        REQUIRE(recorder.scans[1].parsed);
        CHECK(recorder.scans[1].parsed.code.full() == kWater);
        io.stop();
    }

    TEST_CASE("a scanner without suffix is framed by the idle gap") {
        TempDirectory dir;
        PtyPair pty(dir.path / "scanner");
        Recorder recorder;
        IoThread io;
        ScannerOptions options = options_for(pty, ScanSuffix::none);
        options.frame_gap = 250ms;  // generous: the test machine is shared
        Scanner scanner(io.io.get_executor(), options, recorder);
        scanner.start();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 1; }));
        pty.write(kDairy.substr(0, 12));
        std::this_thread::sleep_for(20ms);
        pty.write(kDairy.substr(12));
        std::this_thread::sleep_for(1000ms);
        pty.write(kWater);
        REQUIRE(recorder.wait([](auto& r) { return r.scans.size() == 2; }));
        std::lock_guard lock(recorder.mutex);
        CHECK(recorder.scans[0].raw == kDairy);
        CHECK(recorder.scans[1].raw == kWater);
        io.stop();
    }

    TEST_CASE("unplug mid-frame, replug: the half scan is dropped, scanning resumes") {
        TempDirectory dir;
        PtyPair pty(dir.path / "scanner");
        Recorder recorder;
        IoThread io;
        Scanner scanner(io.io.get_executor(), options_for(pty), recorder);
        scanner.start();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 1; }));
        pty.write(kDairy.substr(0, 15));
        std::this_thread::sleep_for(50ms);
        pty.unplug();
        REQUIRE(recorder.wait([](auto& r) { return r.errors.size() == 1; }));
        CHECK(recorder.errors[0].kind == SerialErrorKind::disconnected);
        CHECK_FALSE(scanner.link_status().connected);
        std::this_thread::sleep_for(100ms);  // a few failed retries while it is gone
        pty.replug();
        REQUIRE(recorder.wait([](auto& r) { return r.connects.size() == 2; }));
        pty.write(kWater + "\r");
        REQUIRE(recorder.wait([](auto& r) { return r.scans.size() == 1; }));
        std::lock_guard lock(recorder.mutex);
        CHECK(recorder.scans[0].raw == kWater);
        io.stop();
    }
}
