"""Analysis of responses and réclamations: pandas and SQL, no web framework."""
