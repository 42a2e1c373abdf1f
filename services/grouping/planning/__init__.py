"""Group planning: who meets whom, when and how. Pure functions, no I/O; see services/grouping/domain.py."""
