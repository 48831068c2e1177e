// Small text and file helpers shared by the cgroup code (internal header).
//
// Reads and writes are whole-file, one syscall each where the kernel cares:
// cgroupfs parses one write(2) as one command, so a value must never be
// split across writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/fd.hpp"

namespace rt::cgroups::util {

std::vector<std::string_view> split(std::string_view s, char sep);
std::vector<std::string_view> fields(std::string_view s);  // split on runs of blanks
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);

// Strict decimal parsers (no sign for u64, optional '-' for i64).
bool parse_u64(std::string_view s, uint64_t& out);
bool parse_i64(std::string_view s, int64_t& out);

// "a" + "/b" with exactly one slash between them; `rel` may be absolute.
std::string join(std::string_view dir, std::string_view rel);

// Whole file; nullopt when it does not exist (ENOENT/ENOTDIR); throws
// rt::sys::Error for any other failure.
std::optional<std::string> read_optional(const std::string& path);
std::string read_file(const std::string& path);

// One open(O_WRONLY|O_TRUNC) + one write(2). Returns 0 or the errno.
int write_file(const std::string& path, std::string_view value);

// write_file that keeps the last file open: a run of writes to one file
// (v1 device rules: one rule per write, a dozen for the defaults) costs one
// open. Each write(2) is still one value to the kernel.
class FileWriter {
public:
    int operator()(const std::string& path, std::string_view value);

private:
    std::string path_;
    sys::UniqueFd fd_;
};

bool is_dir(const std::string& path);

}  // namespace rt::cgroups::util
