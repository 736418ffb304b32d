"""ZKTeco BioTime 9.5: connector and simulator of its REST API (employees, departments, areas,
positions, resignations, terminals and punches)."""
