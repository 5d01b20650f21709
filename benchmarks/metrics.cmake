# Benchmarks of the metrics area (queueing formulas and staffing).
switchboard_add_benchmark(erlang_benchmark)
