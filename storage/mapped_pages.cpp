#include "storage/mapped_pages.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace piotd::storage {

std::size_t release_mapped_pages(const std::filesystem::path& file) {
    struct stat target {};
    if (::stat(file.c_str(), &target) != 0) return 0;
    std::ostringstream device_text;
    device_text << std::hex;
    device_text.fill('0');
    device_text.width(2);
    device_text << major(target.st_dev) << ':';
    device_text.width(2);
    device_text << minor(target.st_dev);
    const std::string device_of_file = device_text.str();
    std::ifstream maps("/proc/self/maps");
    std::size_t released = 0;
    std::string line;
    // "start-end perms offset major:minor inode path" (device numbers in hex, at least two
    // digits); device and inode identify the file whatever path it was opened by.
    while (std::getline(maps, line)) {
        std::istringstream fields(line);
        std::string range, perms, offset, device;
        std::uint64_t inode = 0;
        if (!(fields >> range >> perms >> offset >> device >> inode)) continue;
        if (inode != static_cast<std::uint64_t>(target.st_ino) || device != device_of_file ||
            perms.size() < 4 || perms[3] != 's') {
            continue;
        }
        // from_chars, not stoull: this runs right after a flip has committed and must not throw.
        const auto dash = range.find('-');
        if (dash == std::string::npos) continue;
        std::uintptr_t start = 0;
        std::uintptr_t end = 0;
        const char* text = range.data();
        if (std::from_chars(text, text + dash, start, 16).ec != std::errc{} ||
            std::from_chars(text + dash + 1, text + range.size(), end, 16).ec != std::errc{} ||
            end <= start) {
            continue;
        }
        if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) == 0) {
            ++released;
        }
    }
    return released;
}

}  // namespace piotd::storage
