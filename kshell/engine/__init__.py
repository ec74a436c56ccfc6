"""The simulated cluster: session, state, and one module per command family."""
