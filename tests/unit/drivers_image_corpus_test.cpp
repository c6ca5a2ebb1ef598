// zxing-cpp's own DataMatrix black-box images (an external corpus, not marking codes) through the
// image path: how many PNG/JPEG images decode to their expected content with Debian's zxing-cpp
// 1.4, and the endpoint's answer for each. The floors are what was measured when this was
// written (docs/drivers.md); a change that decodes fewer fails here. WebP images are not
// accepted by piotd and are counted apart.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "daemon/image/image_scan_service.hpp"
#include "drivers/image/image_loader.hpp"
#include "drivers/image/symbol_decoder.hpp"

namespace fs = std::filesystem;
using namespace piotd;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path corpus_dir() {
    if (const char* dir = std::getenv("PIOTD_ZXING_CORPUS")) return dir;
    return "/work/shared/testdata/zxing-datamatrix";
}

struct NoCheck : daemon::ScanChecker {
    daemon::ScanVerdict check(const protocol::MarkingCode&) override {
        daemon::ScanVerdict verdict;
        verdict.kind = daemon::ScanVerdictKind::allowed;
        return verdict;
    }
};

struct Tally {
    int images = 0;   // PNG + JPEG with an expected content
    int decoded = 0;  // of which decoded to exactly that content
    int webp = 0;     // not accepted (415)
};

}  // namespace

TEST_SUITE("drivers.image") {
    TEST_CASE("zxing-cpp DataMatrix corpus: decode counts do not fall") {
        const fs::path root = corpus_dir();
        if (!fs::exists(root)) {
            MESSAGE("corpus not found at " << root << " (set PIOTD_ZXING_CORPUS); skipped");
            return;
        }
        // Measured with Debian 12 zxing-cpp 1.4.0 (decoded of PNG+JPEG images).
        const std::map<std::string, int> floors{
            {"datamatrix-1", 26}, {"datamatrix-2", 0}, {"datamatrix-3", 3}, {"datamatrix-4", 20}};
        daemon::ImageConfig config;
        NoCheck checker;
        for (const auto& [name, floor] : floors) {
            Tally tally;
            for (const auto& entry : fs::directory_iterator(root / name)) {
                const fs::path path = entry.path();
                const std::string ext = path.extension().string();
                if (ext == ".webp") {
                    ++tally.webp;
                    continue;
                }
                if (ext != ".png" && ext != ".jpg") continue;
                fs::path expected_path = path;
                expected_path.replace_extension(".txt");
                bool as_text = true;
                if (!fs::exists(expected_path)) {
                    expected_path.replace_extension(".bin");
                    as_text = false;
                }
                if (!fs::exists(expected_path)) continue;
                const std::string expected = read_file(expected_path);
                const std::string file = read_file(path);
                ++tally.images;

                const drivers::LoadedImage loaded = drivers::load_gray_image(file, 40'000'000);
                REQUIRE_MESSAGE(loaded.error == drivers::ImageError::none, path);
                bool hit = false;
                const auto symbols = drivers::decode_symbols(loaded.image);
                for (const auto& symbol : symbols) {
                    if ((as_text ? symbol.text : symbol.bytes) == expected) hit = true;
                }
                if (hit) {
                    ++tally.decoded;
                } else {
                    MESSAGE("not decoded: " << path.filename().string());
                }

                // The endpoint's answer: 200, one entry per symbol, each saying whether it is a
                // marking code (these are not).
                const daemon::Response response = daemon::scan_image(file, config, checker);
                REQUIRE(response.result_int() == 200);
                rapidjson::Document body;
                body.Parse(response.body().c_str());
                REQUIRE(body.IsObject());
                CHECK(body["codes"].Size() == symbols.size());
                for (const auto& code : body["codes"].GetArray()) {
                    CHECK((code["error"].IsObject() || code["verdict"].IsObject()));
                }
            }
            MESSAGE(name << ": decoded " << tally.decoded << " of " << tally.images
                         << " PNG/JPEG images (" << tally.webp << " WebP not accepted)");
            CHECK(tally.decoded >= floor);
        }
    }
}
