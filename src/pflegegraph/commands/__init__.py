"""One module per CLI command. Each has ``register(subparsers, common)`` and ``run(args, settings)``."""
