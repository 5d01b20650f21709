# Tests of the simulator: switchboard_add_test(name_test switchboard::sim)
switchboard_add_test(sim_core_test switchboard::sim)
switchboard_add_test(sim_validation_test switchboard::sim)
target_compile_definitions(sim_core_test PRIVATE
    SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_compile_definitions(sim_validation_test PRIVATE
    SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# The CLI, end to end: each command's --json output must carry the documented keys and values.
if(TARGET switchboard_sim_tool)
  add_test(NAME sim_cli:erlang_c_json
           COMMAND switchboard_sim_tool erlang --model c --arrival-rate 0.0555556 --aht 180
                   --agents 14 --target 20 --json)
  # The classic worked example (100 calls per 30 min, AHT 180 s, 14 agents, 20 s target, e.g.
  # callcentrehelper.com's Erlang C explanation): P(wait) 17.4%, ASA 7.8 s, SL 88.8%, occupancy
  # 71.4%.
  set_tests_properties(sim_cli:erlang_c_json PROPERTIES PASS_REGULAR_EXPRESSION
      "^\\{\"p_wait\":0\\.174[0-9]*,\"asa\":7\\.8[0-9]*,\"service_level\":0\\.888[0-9]*,\"occupancy\":0\\.714")
  add_test(NAME sim_cli:erlang_a_json
           COMMAND switchboard_sim_tool erlang --model a --arrival-rate 0.1 --aht 180 --agents 18
                   --patience 120 --json)
  set_tests_properties(sim_cli:erlang_a_json PROPERTIES PASS_REGULAR_EXPRESSION
      "\"p_wait\":[0-9.e-]+,\"asa\":[0-9.e-]+,\"service_level\":[0-9.e-]+,\"occupancy\":[0-9.e-]+,\"p_abandon\":0\\.[0-9]+\\}")
  add_test(NAME sim_cli:staff
           COMMAND switchboard_sim_tool staff --model c --arrival-rate 0.0555556 --aht 180
                   --service-level 0.8 --target 20 --json)
  set_tests_properties(sim_cli:staff PROPERTIES PASS_REGULAR_EXPRESSION "^\\{\"agents\":14,")
  add_test(NAME sim_cli:erlang_overload_fails
           COMMAND switchboard_sim_tool erlang --model c --arrival-rate 1 --aht 180 --agents 10)
  set_tests_properties(sim_cli:erlang_overload_fails PROPERTIES WILL_FAIL TRUE)
  add_test(NAME sim_cli:run_help COMMAND switchboard_sim_tool run --help)
  set_tests_properties(sim_cli:run_help PROPERTIES PASS_REGULAR_EXPRESSION "--replications K")
  add_test(NAME sim_cli:run_json
           COMMAND switchboard_sim_tool run ${PROJECT_SOURCE_DIR}/benchmarks/scenarios/mmn.textproto
                   --replications 2 --strategy longest-idle --strategy round-robin --json)
  set_tests_properties(sim_cli:run_json PROPERTIES PASS_REGULAR_EXPRESSION
      "\"strategies\":\\[\\{\"strategy\":\"longest-idle\",\"overall\":\\{\"offered\":.*\"strategy\":\"round-robin\"")
  add_test(NAME sim_cli:run_report
           COMMAND switchboard_sim_tool run ${PROJECT_SOURCE_DIR}/benchmarks/scenarios/journeys.textproto
                   --replications 2 --report ${CMAKE_CURRENT_BINARY_DIR}/sim_cli_report.html)
  set_tests_properties(sim_cli:run_report PROPERTIES PASS_REGULAR_EXPRESSION "report written to")
  add_test(NAME sim_cli:unknown_strategy_fails
           COMMAND switchboard_sim_tool run ${PROJECT_SOURCE_DIR}/benchmarks/scenarios/mmn.textproto
                   --strategy no-such-strategy)
  set_tests_properties(sim_cli:unknown_strategy_fails PROPERTIES WILL_FAIL TRUE)
  # Numeric flags are range-checked before they are narrowed: a usage error (exit 2) naming the
  # flag, not a wrapped value.
  add_test(NAME sim_cli:staff_max_agents_range
           COMMAND switchboard_sim_tool staff --model c --arrival-rate 0.0556 --aht 180
                   --service-level 0.8 --max-agents 4294967297)
  set_tests_properties(sim_cli:staff_max_agents_range PROPERTIES PASS_REGULAR_EXPRESSION
      "--max-agents must be between 1 and 10000000")
  add_test(NAME sim_cli:run_replications_zero
           COMMAND switchboard_sim_tool run ${PROJECT_SOURCE_DIR}/benchmarks/scenarios/mmn.textproto
                   --replications 0)
  set_tests_properties(sim_cli:run_replications_zero PROPERTIES PASS_REGULAR_EXPRESSION
      "--replications outside 1..10000")
  add_test(NAME sim_cli:run_help_seed COMMAND switchboard_sim_tool run --help)
  set_tests_properties(sim_cli:run_help_seed PROPERTIES PASS_REGULAR_EXPRESSION
      "0 or absent = the scenario's seed")
endif()
switchboard_add_test(sim_scenario_garbage_test switchboard::sim switchboard::switchboard_proto)
target_compile_definitions(sim_scenario_garbage_test PRIVATE
    SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
switchboard_add_test(sim_kpi_oracle_test switchboard::sim)
target_compile_definitions(sim_kpi_oracle_test PRIVATE
    SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Bad input: damaged trace files through the C++ API, and the CLI's argument parsing and
# diagnostics end to end.
switchboard_add_test(sim_trace_garbage_test switchboard::sim)
include(${CMAKE_CURRENT_LIST_DIR}/sim_cli_garbage.cmake)
