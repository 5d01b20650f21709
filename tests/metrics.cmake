# Tests of the metrics area: switchboard_add_test(name_test)
switchboard_add_test(erlang_test)
switchboard_add_test(metrics_test)
switchboard_add_test(measures_oracle_test switchboard::sim)
