# Benchmarks of the sim area: switchboard_add_benchmark(name_benchmark)
switchboard_add_benchmark(sim_benchmark switchboard::sim)
