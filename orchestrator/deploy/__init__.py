"""The deploy pipeline: config → sync plan → upload → restart → wait for health."""
