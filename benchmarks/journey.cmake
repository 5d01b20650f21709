# Benchmarks of the journey area: switchboard_add_benchmark(name_benchmark)
