#include "storage/run_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kRecordHeader = 4;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& dir, int err) {
    throw StorageError(what + " (import run file in " + dir.string() +
                           "): " + std::generic_category().message(err),
                       err);
}

int open_unnamed(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    // File systems without O_TMPFILE answer EOPNOTSUPP (older kernels EISDIR).
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        fail("cannot create a file", dir, errno);
    }
    std::string name = (dir / "piotd-import-run.XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) fail("cannot create a file", dir, errno);
    ::unlink(name.c_str());
    return fd;
}

}  // namespace

RunFile::RunFile(const std::filesystem::path& dir) : fd_(open_unnamed(dir)), dir_(dir) {
    buffer_.reserve(kWriteBufferBytes);
}

RunFile::~RunFile() {
    if (fd_ >= 0) ::close(fd_);
}

RunFile::RunFile(RunFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      dir_(std::move(other.dir_)),
      buffer_(std::move(other.buffer_)),
      pos_(other.pos_),
      end_(other.end_),
      size_(other.size_),
      read_offset_(other.read_offset_),
      records_(other.records_),
      key_(other.key_),
      value_(other.value_) {}

void RunFile::write(std::string_view key, std::string_view value) {
    const char header[kRecordHeader] = {
        static_cast<char>(key.size() & 0xff), static_cast<char>((key.size() >> 8) & 0xff),
        static_cast<char>(value.size() & 0xff), static_cast<char>((value.size() >> 8) & 0xff)};
    if (buffer_.size() + kRecordHeader + key.size() + value.size() > kWriteBufferBytes) flush();
    buffer_.insert(buffer_.end(), header, header + kRecordHeader);
    buffer_.insert(buffer_.end(), key.begin(), key.end());
    buffer_.insert(buffer_.end(), value.begin(), value.end());
    ++records_;
}

void RunFile::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                                   static_cast<off_t>(size_ + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", dir_, errno);
        if (n == 0) fail("cannot write", dir_, ENOSPC);
        done += static_cast<std::size_t>(n);
    }
    size_ += done;
    buffer_.clear();
}

void RunFile::finish_writing() {
    flush();
    std::vector<char>().swap(buffer_);
}

void RunFile::start_reading(std::size_t buffer_bytes) {
    buffer_.assign(std::max<std::size_t>(buffer_bytes, kRecordHeader), '\0');
    pos_ = 0;
    end_ = 0;
    read_offset_ = 0;
    key_ = {};
    value_ = {};
}

bool RunFile::ensure(std::size_t n) {
    if (end_ - pos_ >= n) return true;
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    if (buffer_.size() < n) buffer_.resize(n);
    while (end_ < buffer_.size() && read_offset_ < size_) {
        const ssize_t got = ::pread(fd_, buffer_.data() + end_, buffer_.size() - end_,
                                    static_cast<off_t>(read_offset_));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) fail("cannot read", dir_, errno);
        if (got == 0) break;
        end_ += static_cast<std::size_t>(got);
        read_offset_ += static_cast<std::uint64_t>(got);
    }
    return end_ - pos_ >= n;
}

bool RunFile::next() {
    if (!ensure(kRecordHeader)) {
        if (end_ != pos_) fail("cut short", dir_, EIO);
        key_ = {};
        value_ = {};
        return false;
    }
    const auto byte = [this](std::size_t i) {
        return static_cast<std::size_t>(static_cast<unsigned char>(buffer_[pos_ + i]));
    };
    const std::size_t key_size = byte(0) | (byte(1) << 8);
    const std::size_t value_size = byte(2) | (byte(3) << 8);
    if (!ensure(kRecordHeader + key_size + value_size)) fail("cut short", dir_, EIO);
    const char* record = buffer_.data() + pos_;
    key_ = {record + kRecordHeader, key_size};
    value_ = {record + kRecordHeader + key_size, value_size};
    pos_ += kRecordHeader + key_size + value_size;
    return true;
}

}  // namespace piotd::storage
