// Unmapping the pages of a memory-mapped file that this process has touched.
#pragma once

#include <cstddef>
#include <filesystem>

namespace piotd::storage {

// madvise(MADV_DONTNEED) over every shared mapping of `file` in this process. For a shared file
// mapping that only drops the page-table entries: the data stays in the page cache and the next
// access is a minor fault. Used after an LMDB snapshot load, which leaves tens of megabytes of
// pages the checks will never read mapped (and counted in the daemon's RSS). Returns the number
// of mappings released; 0 when none was found or /proc is not there.
std::size_t release_mapped_pages(const std::filesystem::path& file);

}  // namespace piotd::storage
