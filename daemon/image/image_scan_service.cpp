#include "daemon/image/image_scan_service.hpp"

#include <chrono>
#include <memory>

#include "daemon/http/json_error.hpp"
#include "daemon/http/json_response.hpp"
#include "daemon/scanner/checked_code_json.hpp"
#include "drivers/image/image_loader.hpp"
#include "drivers/image/symbol_decoder.hpp"
#include "protocol/json/json_writer.hpp"

namespace piotd::daemon {

namespace {

constexpr const char* kPath = "/api/v1/scan/image";

bool acceptable_content_type(std::string_view type) {
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    return type.empty() || type == "image/png" || type == "image/jpeg" ||
           type == "application/octet-stream";
}

void write_point(protocol::JsonWriter& writer, std::string_view name,
                 const drivers::SymbolPoint& point) {
    protocol::write_key(writer, name);
    writer.StartObject();
    protocol::write_key(writer, "x");
    writer.Int(point.x);
    protocol::write_key(writer, "y");
    writer.Int(point.y);
    writer.EndObject();
}

}  // namespace

Response scan_image(std::string_view body, const ImageConfig& config, ScanChecker& checker) {
    const auto started = std::chrono::steady_clock::now();
    const drivers::LoadedImage loaded = drivers::load_gray_image(body, config.max_pixels);
    switch (loaded.error) {
        case drivers::ImageError::none:
            break;
        case drivers::ImageError::unsupported_format:
            return json_error(http::status::unsupported_media_type,
                              ApiError::unsupported_media_type,
                              "the body is not a PNG or JPEG image");
        case drivers::ImageError::too_large:
            return json_error(http::status::payload_too_large, ApiError::image_too_large,
                              loaded.detail);
        case drivers::ImageError::malformed:
            return json_error(http::status::bad_request, ApiError::invalid_image, loaded.detail);
    }
    const std::vector<drivers::DecodedSymbol> symbols = drivers::decode_symbols(loaded.image);
    const double decode_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();

    protocol::JsonBuffer buffer;
    protocol::JsonWriter writer(buffer);
    using protocol::write_key;
    using protocol::write_string;
    writer.StartObject();
    write_key(writer, "image");
    writer.StartObject();
    write_key(writer, "format");
    write_string(writer, drivers::image_format_name(loaded.format));
    write_key(writer, "width");
    writer.Int(loaded.image.width);
    write_key(writer, "height");
    writer.Int(loaded.image.height);
    writer.EndObject();
    write_key(writer, "decodeMs");
    writer.Double(decode_ms);
    write_key(writer, "codes");
    writer.StartArray();
    for (const drivers::DecodedSymbol& symbol : symbols) {
        const protocol::ParseResult parsed =
            protocol::parse_marking_code(symbol.bytes, protocol::InputChannel::serial);
        std::optional<ScanVerdict> verdict;
        if (parsed) verdict = checker.check(parsed.code);
        writer.StartObject();
        write_key(writer, "format");
        write_string(writer, symbol.format);
        write_key(writer, "symbology");
        write_string(writer, symbol.symbology);
        write_key(writer, "gs1");
        writer.Bool(symbol.symbology == "]d2");
        write_key(writer, "position");
        writer.StartObject();
        write_point(writer, "topLeft", symbol.corners[0]);
        write_point(writer, "topRight", symbol.corners[1]);
        write_point(writer, "bottomRight", symbol.corners[2]);
        write_point(writer, "bottomLeft", symbol.corners[3]);
        writer.EndObject();
        write_key(writer, "orientation");
        writer.Int(symbol.orientation);
        write_checked_code_members(writer, symbol.bytes, parsed, verdict);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return json_response(http::status::ok, std::string(buffer.GetString(), buffer.GetSize()));
}

ImageScanService::ImageScanService(const ImageConfig& config, ScanChecker& checker)
    : config_(config), checker_(checker), pool_(config.workers, config.queue) {}

void ImageScanService::add_routes(Router& router) {
    router.add(http::verb::post, kPath,
               [this](const RequestContext& context) { return handle(context); });
    router.set_body_limit(kPath, config_.max_bytes);
}

Reply ImageScanService::handle(const RequestContext& context) {
    const Request& request = context.request;
    if (!acceptable_content_type(request[http::field::content_type])) {
        return json_error(http::status::unsupported_media_type, ApiError::unsupported_media_type,
                          "Content-Type must be image/png, image/jpeg or "
                          "application/octet-stream");
    }
    if (request.body().empty()) {
        return json_error(http::status::bad_request, ApiError::missing_field,
                          "the request body must be the image");
    }
    if (drivers::sniff_image_format(request.body()) == drivers::ImageFormat::unknown) {
        return json_error(http::status::unsupported_media_type, ApiError::unsupported_media_type,
                          "the body is not a PNG or JPEG image");
    }
    auto pending = std::make_shared<PendingReply>();
    // The body moves to the worker by shared pointer: the parked session keeps its request.
    auto body = std::make_shared<std::string>(request.body());
    const bool queued = pool_.try_submit([this, pending, body] {
        try {
            pending->fulfil(scan_image(*body, config_, checker_));
        } catch (const std::exception&) {
            pending->fulfil(json_error(http::status::internal_server_error, ApiError::internal,
                                       "internal error"));
        }
    });
    if (!queued) {
        Response response = json_error(http::status::service_unavailable, ApiError::busy,
                                       "image decoders are busy; try again shortly");
        response.set(http::field::retry_after, "1");
        return response;
    }
    return Reply(std::move(pending));
}

}  // namespace piotd::daemon
