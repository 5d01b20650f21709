# Bad input to switchboard-sim, end to end: each case runs the tool and checks the exit code
# (docs/harness.md: 0 success, 1 the command failed, 2 a usage error), that stderr says what was
# wrong and where, and that no sanitizer spoke. Included from tests/sim.cmake; the fixture files
# are written into the build tree at configure time (nothing binary is committed).
#
# This file is also its own runner: `cmake -DEXPECT_RC=N [-DEXPECT_ERR=regex]
# [-DEXPECT_OUT=regex] [-DUNSET_ENV=NAME] -P sim_cli_garbage.cmake -- COMMAND ARGS...` runs the
# command and fails unless every expectation holds. (An empty argument would be dropped on the
# way: pass "--option=" instead.)

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- Runner mode -------------------------------------------------------------------------
  set(command)
  set(after_dashes FALSE)
  math(EXPR last "${CMAKE_ARGC} - 1")
  foreach(i RANGE 1 ${last})
    if(after_dashes)
      list(APPEND command "${CMAKE_ARGV${i}}")
    elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
      set(after_dashes TRUE)
    endif()
  endforeach()
  if(NOT command)
    message(FATAL_ERROR "sim_cli_garbage: no command after --")
  endif()
  if(DEFINED UNSET_ENV)
    unset(ENV{${UNSET_ENV}})
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 20)
  string(JOIN " " shown ${command})
  set(report "command: ${shown}\nexit: ${rc}\nstdout: ${out}\nstderr: ${err}")
  if(err MATCHES "runtime error:|Sanitizer|LeakSanitizer")
    message(FATAL_ERROR "sanitizer report\n${report}")
  endif()
  if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
    message(FATAL_ERROR "expected exit code ${EXPECT_RC}\n${report}")
  endif()
  if(DEFINED EXPECT_ERR AND NOT err MATCHES "${EXPECT_ERR}")
    message(FATAL_ERROR "stderr does not match '${EXPECT_ERR}'\n${report}")
  endif()
  if(DEFINED EXPECT_OUT AND NOT out MATCHES "${EXPECT_OUT}")
    message(FATAL_ERROR "stdout does not match '${EXPECT_OUT}'\n${report}")
  endif()
else()
  # ---- Registration mode (included from tests/sim.cmake) -----------------------------------
  if(TARGET switchboard_sim_tool)
    set(garbage_dir "${CMAKE_CURRENT_BINARY_DIR}/sim_cli_garbage")
    set(garbage_runner "${CMAKE_CURRENT_LIST_DIR}/sim_cli_garbage.cmake")
    set(mmn "${PROJECT_SOURCE_DIR}/benchmarks/scenarios/mmn.textproto")

    # One queue, two agents; `trace` is the scenario's trace block.
    function(sim_cli_garbage_scenario file trace)
      file(WRITE "${garbage_dir}/${file}"
           "name: \"tiny\" duration_s: 3600 interval_s: 1800 replications: 2 seed: 3\n"
           "queues { id: \"q\" channels: \"voice\" }\n"
           "agent_groups { name: \"a\" count: 2 queues { queue: \"q\" } }\n"
           "contact_types { name: \"call\" queue: \"q\" "
           "service { kind: KIND_CONSTANT mean_s: 60 } }\n"
           "${trace}\n")
    endfunction()
    # CRLF line endings, an empty and an explicit patience, a record past duration_s.
    file(WRITE "${garbage_dir}/tiny.csv"
         "arrival_s,type,service_s,patience_s\r\n10,call,5,\r\n20,call,6,30\r\n4000,call,5,\r\n")
    sim_cli_garbage_scenario(tiny.textproto "trace { path: \"tiny.csv\" }")
    # A scenario name with control characters (a name that is not UTF-8 is refused: below).
    file(WRITE "${garbage_dir}/odd_name.textproto"
         "name: \"n\\x01\\x1b[2Jx\" duration_s: 3600 replications: 2 seed: 3\n"
         "queues { id: \"q\" max_waiting: 1 }\n"
         "agent_groups { name: \"a\" count: 1 queues { queue: \"q\" } }\n"
         "contact_types { name: \"call\" queue: \"q\" rate_per_hour: 100 "
         "service { kind: KIND_CONSTANT mean_s: 600 } }\n")
    file(WRITE "${garbage_dir}/not_utf8_name.textproto"
         "name: \"n\\xff\" duration_s: 3600\n"
         "queues { id: \"q\" }\n"
         "agent_groups { name: \"a\" count: 1 queues { queue: \"q\" } }\n"
         "contact_types { name: \"call\" queue: \"q\" rate_per_hour: 100 "
         "service { kind: KIND_CONSTANT mean_s: 600 } }\n")
    file(WRITE "${garbage_dir}/no_service.csv" "arrival_s,type\n10,call\n")
    sim_cli_garbage_scenario(no_service.textproto "trace { path: \"no_service.csv\" }")
    file(WRITE "${garbage_dir}/hex_arrival.csv"
         "arrival_s,type,service_s\n10,call,5\n0x10,call,5\n")
    sim_cli_garbage_scenario(hex_arrival.textproto "trace { path: \"hex_arrival.csv\" }")
    file(MAKE_DIRECTORY "${garbage_dir}/folder.csv" "${garbage_dir}/folder.textproto")
    sim_cli_garbage_scenario(dir_trace.textproto "trace { path: \"folder.csv\" }")
    # Three folders deep so that the default <scenario folder>/../../../shared/data stays inside
    # the build tree, where there is no such folder.
    string(CONCAT bank_trace
           "trace { path: \"$SWITCHBOARD_SHARED_DATA/anonymous_bank/february_1999.tsv\" "
           "format: FORMAT_ANONYMOUS_BANK date: \"990201\" default_contact_type: \"call\" }")
    file(MAKE_DIRECTORY "${garbage_dir}/a/b/c")
    sim_cli_garbage_scenario(a/b/c/bank.textproto "${bank_trace}")

    # sim_cli_garbage(NAME RC STDERR_REGEX [OUT regex] [UNSET_ENV var] COMMAND args...)
    function(sim_cli_garbage name rc err)
      cmake_parse_arguments(PARSE_ARGV 3 arg "" "OUT;UNSET_ENV" "COMMAND")
      set(defines "-DEXPECT_RC=${rc}")
      if(NOT err STREQUAL "")
        list(APPEND defines "-DEXPECT_ERR=${err}")
      endif()
      if(DEFINED arg_OUT)
        list(APPEND defines "-DEXPECT_OUT=${arg_OUT}")
      endif()
      if(DEFINED arg_UNSET_ENV)
        list(APPEND defines "-DUNSET_ENV=${arg_UNSET_ENV}")
      endif()
      add_test(NAME sim_cli_garbage:${name}
               COMMAND ${CMAKE_COMMAND} ${defines} -P ${garbage_runner} --
                       $<TARGET_FILE:switchboard_sim_tool> ${arg_COMMAND})
      set_tests_properties(sim_cli_garbage:${name} PROPERTIES TIMEOUT 30)
    endfunction()

    set(erlang_c erlang --model c --arrival-rate 0.0556 --aht 180)

    # Argument parsing: every malformed flag is a usage error (2) naming the flag and value (an
    # integer out of its range too, docs/harness.md).
    sim_cli_garbage(missing_value 2 "--target needs a value"
                    COMMAND ${erlang_c} --agents 14 --target)
    sim_cli_garbage(value_swallows_flag 2 "--arrival-rate '--aht' is not a number"
                    COMMAND erlang --model c --arrival-rate --aht 180 --agents 14)
    sim_cli_garbage(unknown_option 2 "unknown option --bogus"
                    COMMAND ${erlang_c} --agents 14 --bogus)
    sim_cli_garbage(unknown_command 2 "unknown command 'erlnag'" COMMAND erlnag)
    sim_cli_garbage(flag_with_value 2 "--json takes no value" COMMAND run ${mmn} --json=yes)
    sim_cli_garbage(model_case 2 "--model must be c or a"
                    COMMAND erlang --model C --arrival-rate 0.0556 --aht 180 --agents 14)
    # A number too large for its type is "out of range", not "not a number".
    sim_cli_garbage(double_1e400 2 "--arrival-rate '1e400' is out of range"
                    COMMAND erlang --model c --arrival-rate 1e400 --aht 180 --agents 14)
    sim_cli_garbage(double_nan 2 "--aht 'nan' is not a number"
                    COMMAND erlang --model c --arrival-rate 0.0556 --aht nan --agents 14)
    sim_cli_garbage(double_hex 2 "--arrival-rate '0x10' is not a number"
                    COMMAND erlang --model c --arrival-rate 0x10 --aht 180 --agents 14)
    sim_cli_garbage(double_empty 2 "--arrival-rate '' is not a number"
                    COMMAND erlang --model c --arrival-rate= --aht 180 --agents 14)
    sim_cli_garbage(double_inf 2 "--target 'inf' is not a finite number"
                    COMMAND ${erlang_c} --agents 14 --target inf)
    sim_cli_garbage(int_huge 2 "--agents '99999999999999999999' is out of range"
                    COMMAND ${erlang_c} --agents 99999999999999999999)
    sim_cli_garbage(int_minus_zero 2 "--agents must be between 1 and 10000000, not '-0'"
                    COMMAND ${erlang_c} --agents -0)
    sim_cli_garbage(int_hex 2 "--agents '0x10' is not an integer" COMMAND ${erlang_c} --agents 0x10)
    sim_cli_garbage(int_fraction 2 "--agents '14.0' is not an integer"
                    COMMAND ${erlang_c} --agents 14.0)
    sim_cli_garbage(patience_required 2 "--patience is required"
                    COMMAND erlang --model a --arrival-rate 0.1 --aht 180 --agents 14)
    sim_cli_garbage(staff_two_goals 2 "exactly one of --service-level, --asa, --abandonment"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --service-level 0.8
                            --asa 20)
    sim_cli_garbage(staff_max_agents_negative 2
                    "--max-agents must be between 1 and 10000000, not '-1'"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --service-level 0.8
                            --max-agents -1)
    # The library's failures are reworded with the flags' names, not its C++ fields.
    sim_cli_garbage(staff_out_of_reach 1 "more than --max-agents = 5 agents"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --service-level 0.8
                            --max-agents 5)
    sim_cli_garbage(run_no_scenario 2 "run needs exactly one SCENARIO file"
                    COMMAND run --replications 1 --json)
    sim_cli_garbage(run_two_scenarios 2 "run needs exactly one SCENARIO file"
                    COMMAND run ${mmn} ${mmn})
    sim_cli_garbage(run_seed_2_63 2 "--seed '9223372036854775808' is out of range"
                    COMMAND run ${mmn} --seed 9223372036854775808)
    sim_cli_garbage(run_seed_negative 2 "--seed must not be negative: '-1'"
                    COMMAND run ${mmn} --seed -1)
    sim_cli_garbage(run_replications_exponent 2 "--replications '1e3' is not an integer"
                    COMMAND run ${mmn} --replications 1e3)
    sim_cli_garbage(run_replications_minus_zero 2 "--replications outside 1\\.\\.10000: '-0'"
                    COMMAND run ${mmn} --replications -0)
    sim_cli_garbage(run_journeys_case 2 "--journeys must be on or off"
                    COMMAND run ${mmn} --journeys ON)
    sim_cli_garbage(help_with_json 0 "" OUT "^usage: switchboard-sim erlang"
                    COMMAND erlang --help --json)

    # Files: a failed command (1) naming the file, the line and the column.
    sim_cli_garbage(run_missing_scenario 1 "cannot open scenario '.*nope\\.textproto'"
                    COMMAND run ${garbage_dir}/nope.textproto)
    sim_cli_garbage(trace_missing_column 1
                    "no_service\\.textproto: .*no_service\\.csv: header has no 'service_s' column"
                    COMMAND run ${garbage_dir}/no_service.textproto --json)
    sim_cli_garbage(trace_bad_value 1
                    "hex_arrival\\.csv:3: column 'arrival_s' value '0x10' is not a time"
                    COMMAND run ${garbage_dir}/hex_arrival.textproto)
    sim_cli_garbage(shared_data_nowhere 1
                    "cannot open trace file '/nonexistent-sb-shared/anonymous_bank/february_1999"
                    COMMAND run ${garbage_dir}/a/b/c/bank.textproto
                            --shared-data /nonexistent-sb-shared)
    # With neither --shared-data nor SWITCHBOARD_SHARED_DATA, the message says so.
    string(CONCAT unset_err "cannot open trace file '.*/c/\\.\\./\\.\\./\\.\\./shared/data/"
           "anonymous_bank/.*neither --shared-data")
    sim_cli_garbage(shared_data_unset 1 "${unset_err}"
                    UNSET_ENV SWITCHBOARD_SHARED_DATA
                    COMMAND run ${garbage_dir}/a/b/c/bank.textproto)
    # --report is opened before the runs and says why it cannot be written; with --json nothing
    # is printed.
    sim_cli_garbage(report_to_directory 1 "cannot write report '.*folder\\.csv': Is a directory"
                    COMMAND run ${garbage_dir}/tiny.textproto --report ${garbage_dir}/folder.csv)
    sim_cli_garbage(report_to_missing_folder 1
                    "cannot write report '/nonexistent-sb/x\\.html': No such file or directory"
                    OUT "^$"
                    COMMAND run ${garbage_dir}/tiny.textproto --json
                            --report /nonexistent-sb/x.html)
    sim_cli_garbage(report_empty_path 1 "cannot write report '': No such file or directory"
                    COMMAND run ${garbage_dir}/tiny.textproto --report=)

    # Documented outputs. A CRLF trace replays like LF; the record past duration_s is counted.
    sim_cli_garbage(crlf_trace_skipped 0 ""
                    OUT "1 trace record at or after duration_s not replayed"
                    COMMAND run ${garbage_dir}/tiny.textproto)
    # --json: exactly the documented keys, in order (docs/harness.md, `run`, `staff`, `erlang`).
    set(num "[-0-9.e]+")
    set(kpi "\\{\"mean\":${num},\"half_width\":${num}\\}")
    string(CONCAT run_json
           "^\\{\"scenario\":\"tiny\",\"seed\":3,\"replications\":2,\"interval_s\":1800,"
           "\"strategies\":\\[\\{\"strategy\":\"longest-idle\","
           "\"overall\":\\{\"offered\":\\{\"mean\":2,\"half_width\":0\\},"
           "\"answered\":${kpi},.*\"offers\":${kpi}\\},"
           "\"queues\":\\{\"q\":\\{\"offered\":${kpi},.*\\}\\},"
           "\"intervals\":\\[\\{\"start_s\":0,\"offered\":2,.*\\{\"start_s\":1800,.*\\}\\],"
           "\"contacts_simulated\":[0-9]+,\"routing_decisions\":[0-9]+\\},"
           "\\{\"strategy\":\"round-robin\",.*\\}\\],"
           "\"trace_records_skipped\":1,\"contacts_unfinished\":0,\"rejected\":0\\}.$")
    sim_cli_garbage(run_json_keys 0 "" OUT "${run_json}"
                    COMMAND run ${garbage_dir}/tiny.textproto --json --strategy longest-idle
                            --strategy round-robin)
    # A scenario name with control characters gives valid JSON (escaped) and a table without raw
    # control characters (\\xNN escapes); a name that is not UTF-8 is refused when the scenario
    # is validated, so the library's JSON and report stay UTF-8 too. A full queue's refusals are
    # counted in both.
    string(CONCAT odd_json "^\\{\"scenario\":\"n\\\\u0001\\\\u001b\\[2Jx\",.*"
           "\"rejected\":[1-9]")
    sim_cli_garbage(run_json_odd_name 0 "" OUT "${odd_json}"
                    COMMAND run ${garbage_dir}/odd_name.textproto --json)
    sim_cli_garbage(run_not_utf8_name 1 "scenario name: name 'n.xff' is not UTF-8"
                    COMMAND run ${garbage_dir}/not_utf8_name.textproto)
    sim_cli_garbage(run_text_odd_name 0 ""
                    OUT "^scenario n\\\\x01\\\\x1b\\[2Jx: .*refused by the router"
                    COMMAND run ${garbage_dir}/odd_name.textproto)
    string(CONCAT measures "\"p_wait\":${num},\"asa\":${num},"
           "\"service_level\":${num},\"occupancy\":${num}")
    sim_cli_garbage(staff_a_json_keys 0 ""
                    OUT "^\\{\"agents\":[0-9]+,${measures},\"p_abandon\":${num}\\}.$"
                    COMMAND staff --model a --arrival-rate 0.1 --aht 180 --patience 120
                            --abandonment 0.05 --json)
    sim_cli_garbage(erlang_c_json_keys 0 "" OUT "^\\{${measures}\\}.$"
                    COMMAND ${erlang_c} --agents 14 --json)

    # erlang and staff take no positional argument: a single-dash typo `-target 30` is a usage
    # error, not an ignored word that leaves the default target in force.
    sim_cli_garbage(erlang_stray_argument 2 "unexpected argument '-target'"
                    COMMAND ${erlang_c} --agents 14 -target 30 --json)
    sim_cli_garbage(staff_stray_argument 2 "unexpected argument '0\\.9'"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --service-level 0.8
                            0.9 --json)
    # `run` checks its usage errors (exit 2) before it loads the scenario (and its trace).
    sim_cli_garbage(run_usage_before_scenario 2 "--replications outside 1\\.\\.10000"
                    COMMAND run ${garbage_dir}/nope.textproto --replications 0)
    sim_cli_garbage(run_journeys_before_scenario 2 "--journeys must be on or off"
                    COMMAND run ${garbage_dir}/nope.textproto --journeys maybe)
    # A strategy named twice would be compared with itself.
    sim_cli_garbage(run_strategy_twice 2 "--strategy 'round-robin' is given twice"
                    COMMAND run ${mmn} --strategy round-robin --strategy longest-idle
                            --strategy round-robin)
    # So is a strategy the router does not know (the names are those of --help).
    sim_cli_garbage(run_unknown_strategy 2 "--strategy 'lngest-idle' is not one of the router's"
                    COMMAND run ${garbage_dir}/nope.textproto --strategy lngest-idle)
    sim_cli_garbage(run_shared_data_empty 2 "--shared-data is empty"
                    COMMAND run ${mmn} --shared-data=)
    # A directory given as SCENARIO or as trace is named as such (std::ifstream would open it
    # and read it as empty).
    sim_cli_garbage(scenario_is_directory 1 "folder\\.textproto' is a directory"
                    COMMAND run ${garbage_dir}/folder.textproto)
    sim_cli_garbage(trace_is_directory 1 "folder\\.csv' is a directory"
                    COMMAND run ${garbage_dir}/dir_trace.textproto)
    # Formula inputs out of range are usage errors (2) naming the flag, like --agents 0; the
    # library's own checks would name C++ fields and exit 1.
    sim_cli_garbage(erlang_zero_rate_is_usage 2 "--arrival-rate must be > 0, not '0'"
                    COMMAND erlang --model c --arrival-rate 0 --aht 180 --agents 14)
    sim_cli_garbage(erlang_aht_minus_zero 2 "--aht must be > 0, not '-0'"
                    COMMAND erlang --model c --arrival-rate 0.0556 --aht -0 --agents 14)
    sim_cli_garbage(erlang_target_negative 2 "--target must be >= 0, not '-5'"
                    COMMAND ${erlang_c} --agents 14 --target -5)
    sim_cli_garbage(erlang_patience_zero 2 "--patience must be > 0, not '0'"
                    COMMAND erlang --model a --arrival-rate 0.1 --aht 180 --agents 14
                            --patience 0)
    sim_cli_garbage(erlang_load_overflow 2 "--arrival-rate x --aht overflows"
                    COMMAND erlang --model c --arrival-rate 1e200 --aht 1e200 --agents 14)
    sim_cli_garbage(staff_service_level_range 2
                    "--service-level must be a fraction in \\(0, 1\\), not '1\\.5'"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --service-level 1.5)
    sim_cli_garbage(staff_asa_zero 2 "--asa must be > 0 seconds, not '0'"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --asa 0)
    sim_cli_garbage(staff_abandonment_model_c 2 "--abandonment needs --model a with --patience"
                    COMMAND staff --model c --arrival-rate 0.0556 --aht 180 --abandonment 0.1)
    # An unstable Erlang C load is a failed command (1), worded with the flags.
    sim_cli_garbage(erlang_unstable 1 "--agents is 10 for an offered load of 180 Erlangs.*--model a"
                    COMMAND erlang --model c --arrival-rate 1 --aht 180 --agents 10)
  endif()
endif()
