"""One module per `mmrc` subcommand; each exposes `command`, registered in reconciler.cli."""
