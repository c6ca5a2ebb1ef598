#include "daemon/replication/encoded_snapshot.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace piotd::daemon {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EncodedSnapshot::EncodedSnapshot(std::unique_ptr<storage::SnapshotReader>& reader,
                                 storage::ListName list, std::size_t piece_bytes,
                                 ServingWorkers& workers)
    : list_(list), version_(reader->header()), piece_bytes_(piece_bytes), workers_(workers) {
    fd_ = memfd_create("piotd-snapshot", MFD_CLOEXEC);
    if (fd_ < 0) fail("memfd_create for a shared snapshot");
    encoder_ = std::make_unique<SnapshotEncoder>(std::move(reader), list, nullptr);
}

EncodedSnapshot::~EncodedSnapshot() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t EncodedSnapshot::size() const {
    std::lock_guard lock(mutex_);
    return written_;
}

double EncodedSnapshot::fraction(std::uint64_t offset) const {
    std::lock_guard lock(mutex_);
    if (complete_) return written_ == 0 ? 1.0 : static_cast<double>(offset) / written_;
    if (items_ == 0 || version_.doc_count == 0) return 0;
    const double total =
        static_cast<double>(written_) / static_cast<double>(items_) * version_.doc_count;
    return std::min(1.0, static_cast<double>(offset) / total);
}

EncodedSnapshot::Read EncodedSnapshot::read(std::uint64_t offset, std::string& out,
                                            std::size_t budget) const {
    std::uint64_t available = 0;
    bool complete = false;
    {
        std::lock_guard lock(mutex_);
        if (failure_) std::rethrow_exception(failure_);
        available = written_ > offset ? written_ - offset : 0;
        complete = complete_;
    }
    // Below written_ the file is final: its pwrite finished before written_ moved.
    Read read;
    read.bytes = static_cast<std::size_t>(std::min<std::uint64_t>(available, budget));
    read.last = complete && read.bytes == available;
    const std::size_t start = out.size();
    out.resize(start + read.bytes);
    for (std::size_t done = 0; done < read.bytes;) {
        const ssize_t got = ::pread(fd_, out.data() + start + done, read.bytes - done,
                                    static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) fail("reading a shared snapshot");
        done += static_cast<std::size_t>(got);
    }
    return read;
}

void EncodedSnapshot::encode_ahead(std::uint64_t offset) {
    {
        std::lock_guard lock(mutex_);
        wanted_ = std::max(wanted_, offset);
        if (job_queued_ || complete_ || failure_ || written_ >= wanted_) return;
        job_queued_ = true;
    }
    if (workers_.post([self = shared_from_this()] { self->encode_job(); })) return;
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(mutex_);
        job_queued_ = false;
        failure_ = std::make_exception_ptr(std::runtime_error("replication serving stopped"));
        ready = take_ready_waiters();
    }
    for (auto& wake : ready) wake();
}

void EncodedSnapshot::when_encoded(std::uint64_t offset, std::function<void()> wake) {
    {
        std::lock_guard lock(mutex_);
        if (written_ <= offset && !complete_ && !failure_) {
            waiters_.emplace_back(offset, std::move(wake));
            wake = nullptr;
        }
    }
    if (wake) {
        wake();
        return;
    }
    encode_ahead(offset + piece_bytes_);
}

std::vector<std::function<void()>> EncodedSnapshot::take_ready_waiters() {
    std::vector<std::function<void()>> ready;
    const bool all = complete_ || failure_;
    std::erase_if(waiters_, [&](auto& waiter) {
        if (!all && waiter.first >= written_) return false;
        ready.push_back(std::move(waiter.second));
        return true;
    });
    return ready;
}

void EncodedSnapshot::encode_job() {
    {
        std::lock_guard lock(mutex_);
        if (complete_ || failure_ || written_ >= wanted_) {
            job_queued_ = false;
            return;
        }
    }
    encode_piece();
    std::vector<std::function<void()>> ready;
    bool again = false;
    {
        std::lock_guard lock(mutex_);
        ready = take_ready_waiters();
        again = !complete_ && !failure_ && written_ < wanted_;
        if (!again) job_queued_ = false;
    }
    for (auto& wake : ready) wake();
    // One piece per job: pages of changes and other streams' pieces take turns with it.
    if (again && !workers_.post([self = shared_from_this()] { self->encode_job(); })) {
        {
            std::lock_guard lock(mutex_);
            job_queued_ = false;
            failure_ = std::make_exception_ptr(std::runtime_error("replication serving stopped"));
            ready = take_ready_waiters();
        }
        for (auto& wake : ready) wake();
    }
}

bool EncodedSnapshot::encode_piece() {
    piece_.clear();
    bool more = true;
    std::uint64_t items = 0;
    std::uint64_t at = 0;
    {
        std::lock_guard lock(mutex_);
        at = written_;
    }
    try {
        more = encoder_->next(piece_, piece_bytes_);
        items = encoder_->items();
        for (std::size_t done = 0; done < piece_.size();) {
            const ssize_t n = ::pwrite(fd_, piece_.data() + done, piece_.size() - done,
                                       static_cast<off_t>(at + done));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("writing a shared snapshot");
            }
            done += static_cast<std::size_t>(n);
        }
    } catch (...) {
        encoder_.reset();
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
        return false;
    }
    // The read transaction goes with the last piece, not with the last reader.
    if (!more) encoder_.reset();
    std::lock_guard lock(mutex_);
    written_ += piece_.size();
    items_ = items;
    complete_ = !more;
    return true;
}

}  // namespace piotd::daemon
