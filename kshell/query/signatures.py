"""Parameter types of the scalar functions, as data: the one argument-type check.

A function's documented signatures (one or more, `;`-separated) list each parameter's
kind; `?` marks an optional parameter and `*` a repeating last one.  A function not
listed, and a parameter of kind `any`, take any argument.  The compiler calls `check`
with the argument types once per call node, so a wrong-typed argument is a Kusto-style
SemanticError before anything runs (`strrep("a", "day")`, `ipv4_compare("1.2.3.4", 5)`)
instead of a Python message or a made-up answer.  A `dynamic` argument is decided per
value at run time and always passes here.

Kinds: string, integer (int or long), number (int, long, real, decimal), bool, datetime,
timespan, guid, `a|b` (either), any.
"""

from __future__ import annotations

_ACCEPTS = {
    "string": {"string"},
    "integer": {"int", "long"},
    "number": {"int", "long", "real", "decimal"},
    "bool": {"bool"},
    "datetime": {"datetime"},
    "timespan": {"timespan"},
    "guid": {"guid"},
}

_WORDS = {
    "string": "string", "integer": "long (or int)", "number": "number (int, long, real or decimal)",
    "bool": "bool", "datetime": "datetime", "timespan": "timespan", "guid": "guid",
}

TABLE = """
abs	integer ; number ; timespan
acos	number
ago	timespan
array_index_of	any,any,integer?,integer?,integer?
array_rotate_left	any,integer
array_rotate_right	any,integer
array_shift_left	any,integer,any?
array_shift_right	any,integer,any?
array_slice	any,integer,integer
array_split	any,integer ; any,any
asin	number
assert	bool,string
atan	number
atan2	number,number
bag_has_key	any,string
bag_set_key	any,string,any
base64_decode_toarray	string
base64_decode_toguid	string
base64_decode_tostring	string
base64_decodestring	string
base64_encode_fromguid	guid
base64_encode_tostring	string
base64_encodestring	string
beta_cdf	number,number,number
beta_inv	number,number,number
beta_pdf	number,number,number
bin	number,number ; timespan,timespan ; datetime,datetime ; datetime,timespan
bin_at	number,number,number ; timespan,number,timespan ; timespan,timespan,timespan ; datetime,timespan,datetime
bin_auto	number
binary_and	integer,integer
binary_not	integer
binary_or	integer,integer
binary_shift_left	integer,integer
binary_shift_right	integer,integer
binary_xor	integer,integer
bitset_count_ones	integer
ceiling	number
column_ifexists	string,any
convert_angle	number,string,string
convert_energy	number,string,string
convert_force	number,string,string
convert_length	number,string,string
convert_mass	number,string,string
convert_speed	number,string,string
convert_temperature	number,string,string
convert_volume	number,string,string
cos	number
cot	number
countof	string,string,string?
datepart	string,datetime
datetime_add	string,integer,datetime
datetime_diff	string,datetime,datetime
datetime_local_to_utc	datetime,string
datetime_part	string,datetime
datetime_utc_to_local	datetime,string
dayofmonth	datetime
dayofweek	datetime
dayofyear	datetime
degrees	number
endofday	datetime,integer?
endofmonth	datetime,integer?
endofweek	datetime,integer?
endofyear	datetime,integer?
erf	number
erfc	number
exp	number
exp10	number
exp2	number
extract	string,integer,string ; string,integer,string,any
extract_all	string,string ; string,any,string
extract_json	string,string ; string,string,any
extractjson	string,string ; string,string,any
floor	number,number ; timespan,timespan ; datetime,datetime ; datetime,timespan
format_bytes	number,number?,string?
format_datetime	datetime,string
format_ipv4	any,integer?
format_ipv4_mask	any,integer
format_timespan	timespan,string
gamma	number
geo_angle	number,number,number,number,number,number
geo_azimuth	number,number,number,number
geo_closest_point_on_line	number,number,any
geo_closest_point_on_polygon	number,number,any
geo_distance_2points	number,number,number,number,number|bool?
geo_distance_point_to_line	number,number,any
geo_distance_point_to_polygon	number,number,any
geo_geohash_neighbors	string
geo_geohash_to_central_point	string
geo_geohash_to_polygon	string
geo_h3cell_children	string,number?
geo_h3cell_level	string
geo_h3cell_neighbors	string
geo_h3cell_parent	string,number?
geo_h3cell_rings	string,number
geo_h3cell_to_central_point	string
geo_h3cell_to_polygon	string
geo_line_densify	any,number?,number|bool?
geo_line_interpolate_point	any,number
geo_line_locate_point	any,number,number,number|bool?
geo_line_simplify	any,number?
geo_line_to_s2cells	any,number?,number?
geo_point_buffer	number,number,number,number?
geo_point_in_circle	number,number,number,number,number
geo_point_in_polygon	number,number,any
geo_point_to_geohash	number,number,number?
geo_point_to_h3cell	number,number,number?
geo_point_to_s2cell	number,number,number?
geo_polygon_densify	any,number?,number|bool?
geo_polygon_simplify	any,number?
geo_polygon_to_h3cells	any,number?,number?
geo_polygon_to_s2cells	any,number?,number?
geo_s2cell_neighbors	string
geo_s2cell_to_central_point	string
geo_s2cell_to_polygon	string
getmonth	datetime
getyear	datetime
gzip_compress_to_base64_string	string
gzip_decompress_from_base64_string	string
has_any_index	string,any
has_any_ipv4	string,string* ; string,any
has_any_ipv4_prefix	string,string* ; string,any
has_ipv4	string,string
has_ipv4_prefix	string,string
has_ipv4_any	string,string* ; string,any
hash	any,integer?
hash_xxhash64	any,integer?
hourofday	datetime
iff	bool,any,any
iif	bool,any,any
indexof	any,any,integer?,integer?,integer?
indexof_regex	any,any,integer?,integer?,integer?
ipv4_compare	string,string,integer?
ipv4_is_in_any_range	string,string* ; string,any
ipv4_is_in_range	string,string
ipv4_is_match	string,string,integer?
ipv4_is_private	string
ipv4_netmask_suffix	string
ipv4_range_to_cidr_list	string,string
ipv6_compare	string,string,integer?
ipv6_is_in_any_range	string,string* ; string,any
ipv6_is_in_range	string,string
ipv6_is_match	string,string,integer?
isfinite	number
isinf	number
isnan	number
log	number
log10	number
log2	number
loggamma	number
make_datetime	number,number,number,number?,number?,number? ; any
make_timespan	integer,integer,integer,number ; integer,integer,number? ; any
monthofyear	datetime
next	any,integer?,any?
not	bool
now	timespan?
parse_command_line	any,string
parse_csv	string
parse_ipv4	string
parse_ipv4_mask	string,integer
parse_ipv6	string
parse_ipv6_mask	string,integer
parse_json	string
parse_path	string
parse_url	string
parse_urlquery	string
parse_version	string
parse_xml	string
percentile_tdigest	any,number ; any,number,any
percentiles_array_tdigest	any,number* ; any,any
pow	number,number
prev	any,integer?,any?
punycode_domain_from_string	string
punycode_domain_to_string	string
punycode_from_string	string
punycode_to_string	string
radians	number
rand	integer?
range	number,number,number? ; datetime,datetime,timespan? ; timespan,timespan,timespan?
repeat	any,integer
replace	string,string,string
replace_regex	string,string,string
replace_string	string,string,string
replace_strings	string,any,any
round	number,integer?
row_cumsum	number,bool?
row_number	integer?,bool?
row_rank_dense	any,bool?
row_rank_min	any,bool?
row_window_session	datetime,timespan,timespan,bool?
series_add	any,any ; any,number ; number,any
series_cosine_similarity	any,any,number?,number?
series_divide	any,any ; any,number ; number,any
series_dot_product	any,any ; any,number ; number,any
series_equals	any,any ; any,number ; number,any
series_fill_backward	any,number?
series_fill_const	any,number?,number?
series_fill_forward	any,number?
series_fill_linear	any,number?,bool?,number?
series_fir	any,any,bool?,bool?
series_greater	any,any ; any,number ; number,any
series_greater_equals	any,any ; any,number ; number,any
series_less	any,any ; any,number ; number,any
series_less_equals	any,any ; any,number ; number,any
series_multiply	any,any ; any,number ; number,any
series_not_equals	any,any ; any,number ; number,any
series_pow	any,any ; any,number ; number,any
series_seasonal	any ; any,integer ; any,integer,integer
series_stats	any,bool?
series_stats_dynamic	any,bool?
series_subtract	any,any ; any,number ; number,any
sign	number
sin	number
split	any,string,integer?
sqrt	number
startofday	datetime,integer?
startofmonth	datetime,integer?
startofweek	datetime,integer?
startofyear	datetime,integer?
string_size	string
strlen	string
strrep	any,integer,any?
substring	any,integer,integer?
tan	number
todynamic	string
toguid	string
tohex	integer,integer?
toobject	string
translate	string,string,string
trim	string,string
trim_end	string,string
trim_start	string,string
unixtime_microseconds_todatetime	number
unixtime_milliseconds_todatetime	number
unixtime_nanoseconds_todatetime	number
unixtime_seconds_todatetime	number
url_decode	string
url_encode	string
url_encode_component	string
week_of_year	datetime
weekofyear	datetime
welch_test	number,number,number,number,number,number
zlib_compress_to_base64_string	string
zlib_decompress_from_base64_string	string
"""

# Aggregates (summarize), in the same form.  `number|timespan` is what can be summed.
AGGREGATES = """
sum	number|timespan
sumif	number|timespan,any
avg	number|timespan|datetime
avgif	number|timespan|datetime,any
stdev	number|timespan
stdevp	number|timespan
stdevif	number|timespan,any
variance	number|timespan
variancep	number|timespan
varianceif	number|timespan,any
variancepif	number|timespan,any
covariance	number|timespan,number|timespan
covariancep	number|timespan,number|timespan
covarianceif	number|timespan,number|timespan,any
covariancepif	number|timespan,number|timespan,any
percentile	any,number
percentiles	any,number*
percentilew	any,integer,number
percentilesw	any,integer,number*
binary_all_and	integer
binary_all_or	integer
binary_all_xor	integer
make_list	any,integer?
make_set	any,integer?
make_bag	any,integer?
"""

_SIGNATURES: dict[str, list[list[str]]] | None = None
_AGGREGATE_SIGNATURES: dict[str, list[list[str]]] | None = None


def _table(text: str) -> dict[str, list[list[str]]]:
    table = {}
    for line in text.strip("\n").splitlines():
        fname, sigs = line.split("\t")
        table[fname] = [[p for p in s.strip().split(",") if p] for s in sigs.split(";")]
    return table


def signatures(name: str) -> list[list[str]] | None:
    """The parameter kinds of each documented signature of `name`, or None when unchecked."""
    global _SIGNATURES
    if _SIGNATURES is None:
        _SIGNATURES = _table(TABLE)
    return _SIGNATURES.get(name)


def check_aggregate(name: str, types: list[str]) -> str | None:
    """`check` for an aggregate of summarize (`sum("a")` is an error, not 0)."""
    global _AGGREGATE_SIGNATURES
    if _AGGREGATE_SIGNATURES is None:
        _AGGREGATE_SIGNATURES = _table(AGGREGATES)
    return _check(name, types, _AGGREGATE_SIGNATURES.get(name), "aggregate")


def _fits(params: list[str], types: list[str]) -> int | None:
    """None when the argument types fit the signature, else the 0-based index of the first
    argument that does not (len(types) when the count does not fit)."""
    kinds = []
    for i, t in enumerate(types):
        if i < len(params):
            kinds.append(params[i].rstrip("?*"))
        elif params and params[-1].endswith("*"):
            kinds.append(params[-1].rstrip("?*"))
        else:
            return len(types)
    required = sum(1 for p in params if not p.endswith(("?", "*")))
    if len(types) < required:
        return len(types)
    for i, (kind, t) in enumerate(zip(kinds, types)):
        if kind == "any" or t == "dynamic":
            continue
        if not any(t in _ACCEPTS[k] for k in kind.split("|")):
            return i
    return None


def check(name: str, types: list[str]) -> str | None:
    """The error text for arguments of `types` passed to function `name`, or None."""
    return _check(name, types, signatures(name))


def _check(name: str, types: list[str], sigs: list[list[str]] | None, word: str = "function") -> str | None:
    if not sigs:
        return None
    misses = [_fits(s, types) for s in sigs]
    if None in misses:
        return None
    if len(sigs) == 1 and misses[0] < len(types):
        i = misses[0]
        kind = sigs[0][min(i, len(sigs[0]) - 1)].rstrip("?*")
        want = " or ".join(_WORDS[k] for k in kind.split("|"))
        return f"{word} '{name}': argument {i + 1} must be a value of type {want}, not {types[i]}"
    return f"{word} '{name}' is not compatible with arguments ({', '.join(types)})"
