"""The ``minewatch`` command line: the parser, one handler per subcommand, tables."""
