// Help texts, modelled on runc 1.1.5's (urfave/cli layout: NAME, USAGE, DESCRIPTION,
// OPTIONS). Flags added by later runc versions (--pidfd-socket, --cpu-burst,
// --cpu-idle) are listed too, since berth accepts them.
#include <string>
#include <string_view>

#include "cli.hpp"

#ifndef BERTH_VERSION
#define BERTH_VERSION "unknown"
#endif

namespace rt::cli {

namespace {

struct Topic {
    std::string_view name;
    std::string_view text;
};

constexpr std::string_view kGlobal = R"(NAME:
   berth - Open Container Initiative runtime

berth is a command line client for running applications packaged according to
the Open Container Initiative (OCI) format, and a drop-in replacement for runc.

Containers are configured using bundles. A bundle for a container is a directory
that includes a specification file named "config.json" and a root filesystem.
The root filesystem contains the contents of the container.

To start a new instance of a container:

    # berth run [ -b bundle ] <container-id>

Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host. Providing the bundle directory using "-b" is optional. The default
value for "bundle" is the current directory.

USAGE:
   berth [global options] command [command options] [arguments...]

VERSION:
   )" BERTH_VERSION R"(

COMMANDS:
   create      create a container
   delete      delete any resources held by the container often used with detached container
   events      display container events such as OOM notifications, cpu, memory, and IO usage statistics
   exec        execute new process inside the container
   kill        kill sends the specified signal (default: SIGTERM) to the container's init process
   list        lists containers started by berth with the given root
   pause       pause suspends all processes inside the container
   ps          ps displays the processes running inside a container
   resume      resumes all processes that have been previously paused
   run         create and run a container
   spec        create a new specification file
   start       executes the user defined process in a created container
   state       output the state of a container
   update      update container resource constraints
   features    show the enabled features
   help, h     Shows a list of commands or help for one command

GLOBAL OPTIONS:
   --debug             enable debug logging
   --log value         set the log file to write berth logs to (default is '/dev/stderr')
   --log-format value  set the log format ('text' (default), or 'json') (default: "text")
   --root value        root directory for storage of container state (this should be located in tmpfs) (default: "/run/berth")
   --criu value        accepted for compatibility and ignored (checkpoint/restore is not supported)
   --systemd-cgroup    enable systemd cgroup support, expects cgroupsPath to be of form "slice:prefix:name" for e.g. "system.slice:berth:434234"
   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') (default: "auto")
   --help, -h          show help
   --version, -v       print the version
)";

constexpr std::string_view kCreateRunDescription = R"(
Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host.

DESCRIPTION:
   The %s command creates an instance of a container for a bundle. The bundle
is a directory with a specification file named "config.json" and a root
filesystem.

The specification file includes an args parameter. The args parameter is used
to specify command(s) that get run when the container is started. To change the
command(s) that get executed on start, edit the args parameter of the spec. See
"berth spec --help" for more explanation.
)";

constexpr std::string_view kCreate = R"(NAME:
   berth create - create a container

USAGE:
   berth create [command options] <container-id>
@DESC@
OPTIONS:
   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory
   --console-socket value    path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal
   --pidfd-socket value      path to an AF_UNIX socket which will receive a file descriptor referencing the init process
   --pid-file value          specify the file to write the process id to
   --no-pivot                do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk
   --no-new-keyring          do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key
   --preserve-fds value      Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)
   --help, -h                show help
)";

constexpr std::string_view kRun = R"(NAME:
   berth run - create and run a container

USAGE:
   berth run [command options] <container-id>
@DESC@
OPTIONS:
   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory
   --console-socket value    path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal
   --pidfd-socket value      path to an AF_UNIX socket which will receive a file descriptor referencing the init process
   --detach, -d              detach from the container's process
   --keep                    do not delete the container after it exits
   --pid-file value          specify the file to write the process id to
   --no-subreaper            disable the use of the subreaper used to reap reparented processes
   --no-pivot                do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk
   --no-new-keyring          do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key
   --preserve-fds value      Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)
   --help, -h                show help
)";

constexpr Topic kTopics[] = {
    {"start", R"(NAME:
   berth start - executes the user defined process in a created container

USAGE:
   berth start <container-id>

Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host.

DESCRIPTION:
   The start command executes the user defined process in a created container.
)"},
    {"state", R"(NAME:
   berth state - output the state of a container

USAGE:
   berth state <container-id>

Where "<container-id>" is the name for the instance of the container.

DESCRIPTION:
   The state command outputs current state information for the
instance of a container.
)"},
    {"kill", R"(NAME:
   berth kill - kill sends the specified signal (default: SIGTERM) to the container's init process

USAGE:
   berth kill [command options] <container-id> [signal]

Where "<container-id>" is the name for the instance of the container and
"[signal]" is the signal to be sent to the init process: a number (1-64) or a
name such as KILL, SIGKILL, kill, RTMIN+3.

EXAMPLE:
For example, if the container id is "ubuntu01" the following will send a "KILL"
signal to the init process of the "ubuntu01" container:

       # berth kill ubuntu01 KILL

OPTIONS:
   --all, -a   send the specified signal to all processes inside the container
   --help, -h  show help
)"},
    {"delete", R"(NAME:
   berth delete - delete any resources held by the container often used with detached container

USAGE:
   berth delete [command options] <container-id>

Where "<container-id>" is the name for the instance of the container.

EXAMPLE:
For example, if the container id is "ubuntu01" and berth list currently shows the
status of "ubuntu01" as "stopped" the following will delete resources held for
"ubuntu01" removing "ubuntu01" from the berth list of containers:

       # berth delete ubuntu01

OPTIONS:
   --force, -f  Forcibly deletes the container if it is still running (uses SIGKILL)
   --help, -h   show help
)"},
    {"list", R"(NAME:
   berth list - lists containers started by berth with the given root

USAGE:
   berth list [command options]

Where the given root is specified via the global option "--root"
(default: "/run/berth").

EXAMPLE 1:
To list containers created via the default "--root":
       # berth list

EXAMPLE 2:
To list containers created using a non-default value for "--root":
       # berth --root value list

OPTIONS:
   --format value, -f value  select one of: table or json (default: "table")
   --quiet, -q               display only container IDs
   --help, -h                show help
)"},
    {"ps", R"(NAME:
   berth ps - ps displays the processes running inside a container

USAGE:
   berth ps [command options] <container-id> [ps options]

Everything after <container-id> is passed to ps(1) (default: -ef).

OPTIONS:
   --format value, -f value  select one of: table or json (default: "table")
   --help, -h                show help
)"},
    {"pause", R"(NAME:
   berth pause - pause suspends all processes inside the container

USAGE:
   berth pause <container-id>

Where "<container-id>" is the name for the instance of the container to be
paused.

DESCRIPTION:
   The pause command suspends all processes in the instance of the container.

Use berth list to identify instances of containers and their current status.
)"},
    {"resume", R"(NAME:
   berth resume - resumes all processes that have been previously paused

USAGE:
   berth resume <container-id>

Where "<container-id>" is the name for the instance of the container to be
resumed.

DESCRIPTION:
   The resume command resumes all processes in the instance of the container.

Use berth list to identify instances of containers and their current status.
)"},
    {"exec", R"(NAME:
   berth exec - execute new process inside the container

USAGE:
   berth exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>

Where "<container-id>" is the name for the instance of the container and
"<command>" is the command to be executed in the container.
"<command>" can't be empty unless a "-p" flag provided.

EXAMPLE:
For example, if the container is configured to run the linux ps command the
following will output a list of processes running in the container:

       # berth exec <container-id> ps

OPTIONS:
   --console-socket value             path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal
   --pidfd-socket value               path to an AF_UNIX socket which will receive a file descriptor referencing the exec process
   --cwd value                        current working directory in the container
   --env value, -e value              set environment variables
   --tty, -t                          allocate a pseudo-TTY
   --user value, -u value             UID (format: <uid>[:<gid>])
   --additional-gids value, -g value  additional gids
   --process value, -p value          path to the process.json
   --detach, -d                       detach from the container's process
   --pid-file value                   specify the file to write the process id to
   --process-label value              set the asm process label for the process commonly used with selinux
   --apparmor value                   set the apparmor profile for the process
   --no-new-privs                     set the no new privileges value for the process
   --cap value, -c value              add a capability to the bounding set for the process
   --preserve-fds value               Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)
   --cgroup value                     run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.
   --ignore-paused                    allow exec in a paused container
   --help, -h                         show help
)"},
    {"update", R"(NAME:
   berth update - update container resource constraints

USAGE:
   berth update [command options] <container-id>

OPTIONS:
   --resources value, -r value  path to the file containing the resources to update or '-' to read from the standard input

The accepted format is as follow (unchanged values can be omitted):

{
  "memory": {
    "limit": 0,
    "reservation": 0,
    "swap": 0
  },
  "cpu": {
    "shares": 0,
    "quota": 0,
    "burst": 0,
    "period": 0,
    "realtimeRuntime": 0,
    "realtimePeriod": 0,
    "cpus": "",
    "mems": "",
    "idle": 0
  },
  "blockIO": {
    "weight": 0
  },
  "pids": {
    "limit": 0
  }
}

Note: if data is to be read from a file or the standard input, all
other options are ignored.
   --blkio-weight value        Specifies per cgroup weight, range is from 10 to 1000 (default: 0)
   --cpu-period value          CPU CFS period to be used for hardcapping (in usecs). 0 to use system default
   --cpu-quota value           CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period
   --cpu-burst value           CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period
   --cpu-share value           CPU shares (relative weight vs. other containers)
   --cpu-rt-period value       CPU realtime period to be used for hardcapping (in usecs). 0 to use system default
   --cpu-rt-runtime value      CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period
   --cpu-idle value            set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE
   --cpuset-cpus value         CPU(s) to use
   --cpuset-mems value         Memory node(s) to use
   --memory value              Memory limit (in bytes; suffixes k, m, g, t, p are accepted)
   --memory-reservation value  Memory reservation or soft_limit (in bytes)
   --memory-swap value         Total memory usage (memory + swap); set '-1' to enable unlimited swap
   --kernel-memory value       Kernel memory limit (in bytes); accepted and ignored
   --kernel-memory-tcp value   Kernel memory limit for tcp buffer (in bytes); accepted and ignored
   --pids-limit value          Maximum number of pids allowed in the container (default: 0)
   --l3-cache-schema value     The string of Intel RDT/CAT L3 cache schema
   --mem-bw-schema value       The string of Intel RDT/MBA memory bandwidth schema
   --help, -h                  show help
)"},
    {"events", R"(NAME:
   berth events - display container events such as OOM notifications, cpu, memory, and IO usage statistics

USAGE:
   berth events [command options] <container-id>

Where "<container-id>" is the name for the instance of the container.

DESCRIPTION:
   The events command displays information about the container. By default the
information is displayed once every 5 seconds.

OPTIONS:
   --interval value  set the stats collection interval (default: 5s)
   --stats           display the container's stats then exit
   --help, -h        show help
)"},
    {"features", R"(NAME:
   berth features - show the enabled features

USAGE:
   berth features

DESCRIPTION:
   Show the enabled features.
   The result is parsable as a JSON.
   See https://pkg.go.dev/github.com/opencontainers/runtime-spec/specs-go/features for the type definition.
)"},
    {"spec", R"(NAME:
   berth spec - create a new specification file

USAGE:
   berth spec [command options]

DESCRIPTION:
   The spec command creates the new specification file named "config.json" for
the bundle.

The spec generated is just a starter file. Editing of the spec is required to
achieve desired results. For example, the newly generated spec includes an args
parameter that is initially set to call the "sh" command when the container is
started. Calling "sh" may work for an ubuntu container or busybox, but will not
work for containers that do not include the "sh" program.

You can pass the parameter --rootless to this command to generate a proper
rootless spec file.

OPTIONS:
   --bundle value, -b value  path to the root of the bundle directory
   --rootless                generate a configuration for a rootless container
   --help, -h                show help
)"},
    {"help", R"(NAME:
   berth help - Shows a list of commands or help for one command

USAGE:
   berth help [command]
)"},
};

std::string with_description(std::string_view text, std::string_view cmd) {
    std::string desc(kCreateRunDescription);
    desc.replace(desc.find("%s"), 2, cmd);
    std::string out(text);
    out.replace(out.find("@DESC@"), 6, desc);
    return out;
}

}  // namespace

std::string help_text(std::string_view command) {
    if (command.empty()) return std::string(kGlobal);
    if (command == "create") return with_description(kCreate, "create");
    if (command == "run") return with_description(kRun, "run");
    if (command == "h") command = "help";
    for (const auto& t : kTopics)
        if (t.name == command) return std::string(t.text);
    return {};
}

}  // namespace rt::cli
