// A sorted run of a list import spilled to disk (storage/list_import.hpp): records written once,
// in the caller's order, then read back once from the start through a buffer.
//
// The file has no name: it is opened with O_TMPFILE in the given directory (where the file system
// lacks it, a named file is unlinked right after it is created), so it is gone when its
// descriptor closes, whatever ends the import: success, an exception, or kill -9.
//
// Record: key size and value size (u16 little endian each), then the key and the value bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace piotd::storage {

class RunFile {
public:
    // Throws StorageError (with errno) when no file can be made in `dir`.
    explicit RunFile(const std::filesystem::path& dir);
    ~RunFile();
    RunFile(RunFile&& other) noexcept;
    RunFile& operator=(RunFile&&) = delete;
    RunFile(const RunFile&) = delete;
    RunFile& operator=(const RunFile&) = delete;

    // ---- writing ----
    void write(std::string_view key, std::string_view value);
    // Writes what is buffered and frees the write buffer. Throws StorageError on a failed write
    // (ENOSPC: the file system is full).
    void finish_writing();
    std::size_t records() const { return records_; }
    std::uint64_t bytes() const { return size_; }

    // ---- reading (after finish_writing) ----
    // Reads from the first record on, `buffer_bytes` at a time.
    void start_reading(std::size_t buffer_bytes);
    // Moves to the next record; false at the end. Throws StorageError on a read error.
    bool next();
    // The current record; valid until the next call of next().
    std::string_view key() const { return key_; }
    std::string_view value() const { return value_; }

    static constexpr std::size_t kWriteBufferBytes = std::size_t{1} << 20;

private:
    void flush();
    // Makes `n` bytes available from pos_ on; false when the file ends before.
    bool ensure(std::size_t n);

    int fd_ = -1;
    std::filesystem::path dir_;  // for error messages
    std::vector<char> buffer_;
    std::size_t pos_ = 0;  // reading: the first unread byte in buffer_
    std::size_t end_ = 0;  // reading: the end of the bytes read into buffer_
    std::uint64_t size_ = 0;
    std::uint64_t read_offset_ = 0;
    std::size_t records_ = 0;
    std::string_view key_;
    std::string_view value_;
};

}  // namespace piotd::storage
