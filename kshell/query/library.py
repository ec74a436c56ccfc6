"""Imports the modules that extend the function, aggregate, operator and plugin registries
beyond the core (each registers itself on import).  Imported once, by kshell.query.compiler."""

from kshell.query import functions_text  # noqa: F401
from kshell.query import functions_dynamic  # noqa: F401
from kshell.query import window  # noqa: F401
from kshell.query import functions_ip  # noqa: F401
from kshell.query import functions_geo  # noqa: F401
from kshell.query import functions_geometry  # noqa: F401
from kshell.query import functions_geo_union  # noqa: F401
from kshell.query import functions_series  # noqa: F401
from kshell.query import functions_series_periods  # noqa: F401
from kshell.query import functions_series_decompose  # noqa: F401
from kshell.query import functions_series_fit  # noqa: F401
from kshell.query import aggregates_extra  # noqa: F401
from kshell.query import graph  # noqa: F401
from kshell.query import functions_extent  # noqa: F401
from kshell.query import operators_multi  # noqa: F401
from kshell.query import find  # noqa: F401
from kshell.query import statements  # noqa: F401
from kshell.query import plugins_analytics  # noqa: F401
from kshell.query import plugins_sequence  # noqa: F401
from kshell.query import plugins_patterns  # noqa: F401
from kshell.query import plugins_storage  # noqa: F401
