#pragma once
#include <string>

namespace rt::sys {
// The whole content of a file. Throws Error ("open `path`: ..." /
// "read `path`: ..."), of kind not_found when it does not exist.
std::string read_file(const std::string& path);
// Everything left to read on `fd`; `what` names it in errors ("read `what`").
std::string read_fd(int fd, const std::string& what);
}  // namespace rt::sys
