#include "daemon/replication/encoded_snapshot.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace piotd::daemon {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EncodedSnapshot::EncodedSnapshot(std::unique_ptr<storage::SnapshotReader>& reader,
                                 storage::ListName list, std::size_t piece_bytes)
    : list_(list), version_(reader->header()), piece_bytes_(piece_bytes) {
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

// With `encoding_` held.
void EncodedSnapshot::encode_piece() {
    piece_.clear();
    bool more = true;
    std::uint64_t items = 0;
    try {
        more = encoder_->next(piece_, piece_bytes_);
        items = encoder_->items();
        std::uint64_t at = size();
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
        return;
    }
    // The read transaction goes with the last piece, not with the last reader.
    if (!more) encoder_.reset();
    std::lock_guard lock(mutex_);
    written_ += piece_.size();
    items_ = items;
    complete_ = !more;
}

bool EncodedSnapshot::read(std::uint64_t offset, std::string& out, std::size_t budget) {
    for (;;) {
        std::uint64_t available = 0;
        bool complete = false;
        {
            std::lock_guard lock(mutex_);
            if (failure_) std::rethrow_exception(failure_);
            available = written_ > offset ? written_ - offset : 0;
            complete = complete_;
        }
        if (available > 0 || complete) {
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(available, budget));
            const std::size_t start = out.size();
            out.resize(start + n);
            for (std::size_t done = 0; done < n;) {
                const ssize_t got = ::pread(fd_, out.data() + start + done, n - done,
                                            static_cast<off_t>(offset + done));
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0) fail("reading a shared snapshot");
                done += static_cast<std::size_t>(got);
            }
            return !(complete && n == available);
        }
        // At the end of what is encoded: encode the next piece, unless another stream is doing
        // it (then it is there once the mutex is ours).
        std::lock_guard lock(encoding_);
        bool behind = false;
        {
            std::lock_guard state(mutex_);
            behind = written_ <= offset && !complete_ && !failure_;
        }
        if (behind) encode_piece();
    }
}

}  // namespace piotd::daemon
