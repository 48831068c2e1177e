#include "plan.hpp"

namespace rt::plan {

void seal(ChildPlan& plan) {
    plan.argv.clear();
    for (auto& s : plan.argv_storage) plan.argv.push_back(s.data());
    plan.argv.push_back(nullptr);
    plan.envp.clear();
    for (auto& s : plan.env_storage) plan.envp.push_back(s.data());
    plan.envp.push_back(nullptr);
}

}  // namespace rt::plan
