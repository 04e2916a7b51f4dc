"""`networked-councillor` on the command line: one module per command group."""
