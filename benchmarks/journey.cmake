# Benchmarks of the journey area: switchboard_add_benchmark(name_benchmark)
switchboard_add_benchmark(journey_merger_benchmark)
