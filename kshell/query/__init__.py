"""KQL evaluation over columnar tables.  See kshell.query.context for what it needs."""
