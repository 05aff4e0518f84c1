"""Resource providers: what Azure computes for each resource type localcloud knows."""
