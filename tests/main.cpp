// doctest runner for build/unit. Tests tagged "root" skip themselves when not root.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
