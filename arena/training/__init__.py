"""Training: the run config, building a run from it, the collector, the loop, schedules
(co-evolution, populations, frozen teams, pretraining), the checkpoint format, data parallelism and
logging."""
