// Glue: one short function per subcommand, from options to the lifecycle.
#include "commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "cgroup_commands.hpp"
#include "container.hpp"
#include "events.hpp"
#include "exec.hpp"
#include "spec/features.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/sealed_exe.hpp"
#include "update.hpp"

#include <fcntl.h>
#include <seccomp.h>

namespace rt::commands {

namespace {

void out(const std::string& s) {
    for (size_t off = 0; off < s.size();) {
        ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

int cmd_spec(const cli::SpecOptions& o) {
    std::string dir = o.bundle.empty() ? "." : o.bundle;
    std::string path = dir + "/config.json";
    if (::access(path.c_str(), F_OK) == 0) sys::fail(sys::ErrorKind::exists, "File %s exists. Remove it first", path);
    sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (!fd) sys::throw_errno("create %s", path);
    std::string text = spec::default_spec_json(o.rootless);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        sys::throw_errno("write %s", path);
    return 0;
}

int cmd_version() {
    const scmp_version* v = seccomp_version();
    out(sys::format("berth version %s\ncommit: %s\nspec: 1.3.0\nlibseccomp: %u.%u.%u\n", BERTH_VERSION,
                    BERTH_COMMIT, v->major, v->minor, v->micro));
    return 0;
}

}  // namespace

int dispatch(const cli::Invocation& inv, char** argv) {
    const auto& g = inv.global;
    const auto& c = inv.command;
    if (c == "create" || c == "run" || c == "exec") sys::ensure_sealed_exe(argv);
    if (c == "create") {
        container::create(g, std::get<cli::CreateOptions>(inv.options));
        return 0;
    }
    if (c == "run") return container::run(g, std::get<cli::CreateOptions>(inv.options));
    if (c == "exec") return exec::run(g, std::get<cli::ExecOptions>(inv.options));
    if (c == "start") {
        container::start(g, std::get<cli::StartOptions>(inv.options));
        return 0;
    }
    if (c == "state") {
        out(container::state_json(g, std::get<cli::StateOptions>(inv.options).id));
        return 0;
    }
    if (c == "kill") {
        container::kill(g, std::get<cli::KillOptions>(inv.options));
        return 0;
    }
    if (c == "delete") {
        container::destroy(g, std::get<cli::DeleteOptions>(inv.options));
        return 0;
    }
    if (c == "list") {
        out(container::list(g, std::get<cli::ListOptions>(inv.options)));
        return 0;
    }
    if (c == "ps") {
        out(cgroup_commands::ps(g, std::get<cli::PsOptions>(inv.options)));
        return 0;
    }
    if (c == "pause") {
        cgroup_commands::pause(g, std::get<cli::PauseOptions>(inv.options));
        return 0;
    }
    if (c == "resume") {
        cgroup_commands::resume(g, std::get<cli::ResumeOptions>(inv.options));
        return 0;
    }
    if (c == "update") {
        update::run(g, std::get<cli::UpdateOptions>(inv.options));
        return 0;
    }
    if (c == "events") {
        events::run(g, std::get<cli::EventsOptions>(inv.options));
        return 0;
    }
    if (c == "spec") return cmd_spec(std::get<cli::SpecOptions>(inv.options));
    if (c == "features") {
        out(spec::features_json());
        return 0;
    }
    if (c == "version") return cmd_version();
    if (c == "help") {
        out(cli::help_text(std::get<cli::HelpOptions>(inv.options).command));
        return 0;
    }
    sys::fail(sys::ErrorKind::usage, "unknown command `%s`", c);
}

}  // namespace rt::commands
