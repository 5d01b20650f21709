// Links the installed library and checks that validation works through the exported API.
#include <cstdio>
#include <string>

#include "switchboard/agent.h"
#include "switchboard/channel.h"

int main() {
  switchboard::Agent agent;
  agent.id = switchboard::AgentId("agent-1");
  agent.tenant = switchboard::TenantId("acme");
  agent.capacities = {switchboard::DefaultCapacity(switchboard::Channel::kChat)};
  if (!agent.Validate().ok()) return 1;
  agent.capacities[0].max_concurrent = -1;
  const absl::Status bad = agent.Validate();
  if (bad.ok()) return 2;
  std::printf("find_package consumer OK: %s\n", std::string(bad.message()).c_str());
  return 0;
}
