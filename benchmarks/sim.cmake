# Benchmarks of the sim area: switchboard_add_benchmark(name_benchmark)
