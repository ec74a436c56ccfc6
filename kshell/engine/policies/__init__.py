"""Policies of the simulated cluster, as data.

- `kinds`: one table of every policy kind (levels, properties, defaults, ranges).
- `schema`: validation of a payload against a kind's properties.
- `shorthand`: the non-JSON arguments (`softdelete = 10d`, `hot = 7d`, `true`, `(a asc)`).
- `targets`: the entities a policy command names and where each policy is kept.
- `checks`: rules that need the entity (partition keys name columns, ...).
- `commands`: the one handler for every kind, registered with `@policy_handler`.
- `effects`: what policies do as the simulated clock moves and as data is read or ingested.
- `script`: policies in `.show database schema as csl script` / `as json`.

managed_identity, update and row_level_security keep their own modules
(kshell.engine.managed_identity, update_policy, row_level_security).

The package imports nothing itself: the session loads `policies.commands` (handlers) and
`policies.effects` (hooks) on first use (session.HANDLER_INDEX, HOOK_OWNERS).
"""
