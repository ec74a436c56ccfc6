"""The catalog's data: one line per documented item, tab-separated:
kind, name, signature, result type, status ("runs" or why kshell does not run it), description.

Signatures and result types follow the Kusto reference; descriptions are kshell's own.
Keep a line's status in step with the engine (tests/test_catalog.py checks it).
"""

TABLE = """
function	abs	abs(x)	same as x	runs	Absolute value of a number or timespan.
function	acos	acos(x)	real	runs	Inverse cosine, in radians.
function	ago	ago(timespan)	datetime	runs	The current UTC time minus a timespan.
function	all	all(edge, condition)	bool	runs	Whether a condition holds for every edge of a variable-length path.
function	any	any(edge, condition)	bool	runs	Whether a condition holds for some edge of a variable-length path.
function	around	around(value,center,delta)	bool	runs	Whether a value lies within center ± delta.
function	array_concat	array_concat(arr [, ...])	dynamic	runs	Joins several arrays into one.
function	array_iff	array_iff(condition_array, when_true, when_false)	dynamic	runs	Element-wise choice between two arrays by a condition array.
function	array_iif	array_iif(condition_array, when_true, when_false)	dynamic	runs	Alias of array_iff().
function	array_index_of	array_index_of(array, value [, start [, length [, occurence ]]])	long	runs	Position of the first occurrence of a value in an array (-1 when absent).
function	array_length	array_length(array)	long	runs	Number of elements of an array (null for a non-array).
function	array_reverse	array_reverse(value)	dynamic	runs	The array's elements in reverse order.
function	array_rotate_left	array_rotate_left(array, rotate_count)	dynamic	runs	Rotates an array's elements to the left by a count.
function	array_rotate_right	array_rotate_right(array, rotate_count)	dynamic	runs	Rotates an array's elements to the right by a count.
function	array_shift_left	array_shift_left(array, shift_count [, default_value ])	dynamic	runs	Shifts elements left, filling the end with a default (null).
function	array_shift_right	array_shift_right(array, shift_count [, default_value ])	dynamic	runs	Shifts elements right, filling the start with a default (null).
function	array_slice	array_slice(array, start, end)	dynamic	runs	Elements between two indexes (negative counts from the end).
function	array_sort_asc	array_sort_asc(array1[, ..., arrayN][, nulls_last])	dynamic	runs	Sorts one or more arrays by the first one, ascending.
function	array_sort_desc	array_sort_desc(array1[, ..., argumentN])	dynamic	runs	Sorts one or more arrays by the first one, descending.
function	array_split	array_split(array, index)	dynamic	runs	Splits an array into sub-arrays at the given indexes.
function	array_sum	array_sum(array)	real	runs	Sum of an array's numeric elements.
function	asin	asin(x)	real	runs	Inverse sine, in radians.
function	assert	assert(condition,message)	bool	runs	Fails the query with a message when a constant condition is false.
function	atan	atan(x)	real	runs	Inverse tangent, in radians.
function	atan2	atan2(y,x)	real	runs	Angle of the point (x, y) from the positive x-axis, in radians.
function	bag_has_key	bag_has_key(bag,key)	bool	runs	Whether a property bag holds a key (or JSONPath).
function	bag_keys	bag_keys(object)	dynamic	runs	The root keys of a property bag.
function	bag_merge	bag_merge(bag1,bag2,bag3, ...])	dynamic	runs	Merges property bags; the first bag wins on duplicate keys.
function	bag_pack	bag_pack(key1, value1, key2, value2,... )	dynamic	runs	A property bag of key/value arguments (alias pack).
function	bag_pack_columns	bag_pack_columns(column1, column2,... )	dynamic	runs	A property bag built from named columns.
function	bag_remove_keys	bag_remove_keys(bag,keys)	dynamic	runs	A property bag without the given keys (or JSONPaths).
function	bag_set_key	bag_set_key(bag,key,value)	dynamic	runs	A property bag with a key (or JSONPath) set to a value.
function	bag_zip	bag_zip(...)	dynamic	runs	A property bag from an array of keys and an array of values.
function	base64_decode_toarray	base64_decode_toarray(base64_string)	dynamic	runs	Decodes base64 text into an array of byte values.
function	base64_decode_toguid	base64_decode_toguid(base64_string)	guid	runs	Decodes base64 text of 16 bytes into a guid.
function	base64_decode_tostring	base64_decode_tostring(base64_string)	string	runs	Decodes base64 text into a UTF-8 string.
function	base64_decodestring	base64_decodestring(...)	string	runs	Deprecated alias of base64_decode_tostring().
function	base64_encode_fromarray	base64_encode_fromarray(base64_string_decoded_as_a_byte_array)	string	runs	Encodes an array of byte values as base64.
function	base64_encode_fromguid	base64_encode_fromguid(guid)	string	runs	Encodes a guid's 16 bytes as base64.
function	base64_encode_tostring	base64_encode_tostring(string)	string	runs	Encodes a string's UTF-8 bytes as base64.
function	base64_encodestring	base64_encodestring(...)	string	runs	Deprecated alias of base64_encode_tostring().
function	beta_cdf	beta_cdf(x, alpha, beta)	real	runs	Cumulative beta distribution.
function	beta_inv	beta_inv(probability,alpha,beta)	real	runs	Inverse of the cumulative beta distribution.
function	beta_pdf	beta_pdf(x, alpha, beta)	real	runs	Beta probability density.
function	bin	bin(value,roundTo)	same as value	runs	Rounds down to a multiple of a bin size (alias floor).
function	bin_at	bin_at (value,bin_size,fixed_point)	same as value	runs	Rounds down to a bin size aligned on a fixed point.
function	bin_auto	bin_auto (value)	same as value	runs	Rounds down to the bin size set by query parameters.
function	binary_and	binary_and(value1,value2)	long	runs	Bitwise AND.
function	binary_not	binary_not(value)	long	runs	Bitwise NOT.
function	binary_or	binary_or(value1, value2 )	long	runs	Bitwise OR.
function	binary_shift_left	binary_shift_left(value,shift)	long	runs	Bitwise shift left.
function	binary_shift_right	binary_shift_right(value,shift)	long	runs	Bitwise shift right.
function	binary_xor	binary_xor(value1,value2)	long	runs	Bitwise XOR.
function	bitset_count_ones	bitset_count_ones(value)	long	runs	Number of set bits.
function	case	case(predicate_1, then_1,	same as the branches	runs	The value of the first branch whose predicate is true, else the last argument.
function	ceiling	ceiling(number)	same as number	runs	Smallest integer not below a number.
function	cluster	cluster(name)	table	cross-cluster queries are not simulated (kshell is one cluster)	Refers to another cluster (cross-cluster query).
function	coalesce	coalesce(arg,arg_2,[arg_3,...])	same as the arguments	runs	The first argument that is not null (or empty string).
function	column_ifexists	column_ifexists(columnName,defaultValue)	same as default	runs	A column if it exists, otherwise a default value.
function	column_names_of	column_names_of(expression)	dynamic	runs	The column names of a tabular expression.
function	convert_angle	convert_angle(value,from,to)	real	runs	Converts an angle between units.
function	convert_energy	convert_energy(value,from,to)	real	runs	Converts an energy between units.
function	convert_force	convert_force(value,from,to)	real	runs	Converts a force between units.
function	convert_length	convert_length(value,from,to)	real	runs	Converts a length between units.
function	convert_mass	convert_mass(value,from,to)	real	runs	Converts a mass between units.
function	convert_speed	convert_speed(value,from,to)	real	runs	Converts a speed between units.
function	convert_temperature	convert_temperature(value,from,to)	real	runs	Converts a temperature between units.
function	convert_volume	convert_volume(value,from,to)	real	runs	Converts a volume between units.
function	cos	cos(number)	real	runs	Cosine.
function	cot	cot(number)	real	runs	Cotangent.
function	countof	countof(source, search [, kind])	long	runs	Number of occurrences of a substring or regex match.
function	current_cluster_endpoint	current_cluster_endpoint()	string	runs	The cluster's network endpoint.
function	current_database	current_database()	string	runs	The database in scope.
function	current_principal	current_principal()	string	runs	The FQN of the principal running the query.
function	current_principal_details	current_principal_details()	dynamic	runs	Details of the principal running the query.
function	current_principal_is_member_of	current_principal_is_member_of(group)	bool	runs	Whether the current principal is one of the given principals or groups.
function	cursor_after	cursor_after(RHS)	bool	database cursors are not simulated	Rows ingested after a database cursor.
function	cursor_before_or_at	cursor_before_or_at(RHS)	bool	database cursors are not simulated	Rows ingested at or before a database cursor.
function	database	database(databaseName)	table	runs	Refers to another database.
function	datepart	datepart(...)	long	runs	Deprecated alias of datetime_part().
function	datetime_add	datetime_add(period,amount,datetime)	datetime	runs	Adds an amount of a date part to a datetime.
function	datetime_diff	datetime_diff(period,datetime1,datetime2)	long	runs	Number of date-part boundaries between two datetimes.
function	datetime_list_timezones	datetime_list_timezones(...)	dynamic	runs	The supported time zone names.
function	datetime_local_to_utc	datetime_local_to_utc(from,timezone)	datetime	runs	Converts a local time in a time zone to UTC.
function	datetime_part	datetime_part(part,datetime)	long	runs	A date part (year, month, hour...) of a datetime.
function	datetime_utc_to_local	datetime_utc_to_local(from,timezone)	datetime	runs	Converts a UTC time to a time zone's local time.
function	dayofmonth	dayofmonth(date)	int	runs	Day of the month.
function	dayofweek	dayofweek(date)	timespan	runs	Days since the preceding Sunday, as a timespan.
function	dayofyear	dayofyear(date)	int	runs	Day of the year.
function	dcount_hll	dcount_hll(hll)	long	runs	Distinct count estimate from an hll sketch.
function	degrees	degrees(radians)	real	runs	Radians to degrees.
function	dynamic_to_json	dynamic_to_json(expr)	string	runs	Canonical JSON text of a dynamic value (sorted keys).
function	endofday	endofday(date [, offset])	datetime	runs	Last instant of the day.
function	endofmonth	endofmonth(date [, offset])	datetime	runs	Last instant of the month.
function	endofweek	endofweek(date [, offset])	datetime	runs	Last instant of the week (Saturday).
function	endofyear	endofyear(date [, offset])	datetime	runs	Last instant of the year.
function	erf	erf(x)	real	runs	Error function.
function	erfc	erfc(x)	real	runs	Complementary error function.
function	estimate_data_size	estimate_data_size(columns)	long	runs	Estimated size in bytes of the given columns of a row.
function	exp	exp(x)	real	runs	e to the power x.
function	exp10	exp10(x)	real	runs	10 to the power x.
function	exp2	exp2(x)	real	runs	2 to the power x.
function	extent_id	extent_id()	guid	runs	Identifier of the data shard holding the row.
function	extent_tags	extent_tags()	dynamic	runs	Tags of the data shard holding the row.
function	external_table	external_table( TableName [, MappingName / MaxAgeOverride ] )	table	runs	Refers to an external table.
function	extract	extract(regex, captureGroup, source [, typeLiteral])	string	runs	A regex capture group, optionally converted to a type.
function	extract_all	extract_all(regex, [captureGroups,] source)	dynamic	runs	All regex matches (and their groups) in a string.
function	extractjson	extractjson(jsonPath, dataSource, type)	same as type	runs	Deprecated alias of extract_json().
function	extract_json	extract_json(jsonPath, dataSource, type)	same as type	runs	A value at a JSONPath of JSON text, converted to a type.
function	floor	floor(...)	same as value	runs	Alias of bin().
function	format_bytes	format_bytes(size [, precision [, units]])	string	runs	A byte count as text with a size unit.
function	format_datetime	format_datetime(date , format)	string	runs	A datetime formatted by a pattern.
function	format_ipv4	format_ipv4(ip [, prefix])	string	runs	An IPv4 address (optionally masked) as text.
function	format_ipv4_mask	format_ipv4_mask(ip [, prefix])	string	runs	An IPv4 address and mask as CIDR text.
function	format_timespan	format_timespan(timespan , format)	string	runs	A timespan formatted by a pattern.
function	gamma	gamma(number)	real	runs	Gamma function.
function	geo_angle	geo_angle(p1_longitude,p1_latitude,p2_longitude,p2_latitude,p3_longitude,p3_latitude)	real	runs	Angle between two geodesic lines through three points, in radians.
function	geo_azimuth	geo_azimuth(p1_longitude,p1_latitude,p2_longitude,p2_latitude)	real	runs	Azimuth from one point to another, in radians clockwise from north.
function	geo_closest_point_on_line	geo_closest_point_on_line(longitude,latitude,lineString)	dynamic	runs	The point of a line string closest to a point.
function	geo_closest_point_on_polygon	geo_closest_point_on_polygon(longitude,latitude,polygon)	dynamic	runs	The point of a polygon closest to a point.
function	geo_distance_2points	geo_distance_2points(p1_longitude,p1_latitude,p2_longitude,p2_latitude,[ use_spheroid ])	real	runs	Geodesic distance between two points, in meters.
function	geo_distance_point_to_line	geo_distance_point_to_line(longitude,latitude,lineString)	real	runs	Shortest distance from a point to a line string, in meters.
function	geo_distance_point_to_polygon	geo_distance_point_to_polygon(longitude,latitude,polygon)	real	runs	Shortest distance from a point to a polygon, in meters.
function	geo_from_wkt	geo_from_wkt(wkt)	dynamic	runs	GeoJSON from well-known text.
function	geo_geohash_neighbors	geo_geohash_neighbors(geohash)	dynamic	runs	The eight neighbouring geohash cells.
function	geo_geohash_to_central_point	geo_geohash_to_central_point(geohash)	dynamic	runs	The center of a geohash cell as a GeoJSON point.
function	geo_geohash_to_polygon	geo_geohash_to_polygon(geohash)	dynamic	runs	A geohash cell as a GeoJSON polygon.
function	geo_h3cell_children	geo_h3cell_children(h3cell,resolution)	dynamic	runs	The H3 children of a cell at a finer resolution.
function	geo_h3cell_level	geo_h3cell_level(h3cell)	int	runs	The resolution of an H3 cell.
function	geo_h3cell_neighbors	geo_h3cell_neighbors(h3cell)	dynamic	runs	The H3 cells adjacent to a cell.
function	geo_h3cell_parent	geo_h3cell_parent(h3cell,resolution)	string	runs	The H3 parent of a cell at a coarser resolution.
function	geo_h3cell_rings	geo_h3cell_rings(h3cell,distance)	dynamic	runs	The H3 cells in rings around a cell, ring by ring.
function	geo_h3cell_to_central_point	geo_h3cell_to_central_point(h3cell)	dynamic	runs	The center of an H3 cell as a GeoJSON point.
function	geo_h3cell_to_polygon	geo_h3cell_to_polygon(h3cell)	dynamic	runs	An H3 cell as a GeoJSON polygon.
function	geo_info_from_ip_address	geo_info_from_ip_address(IpAddress )	dynamic	needs a geolocation database kshell does not ship	Country, state, city and coordinates of an IP address.
function	geo_intersection_2lines	geo_intersection_2lines(lineString1,lineString2)	dynamic	runs	Intersection of two line strings.
function	geo_intersection_2polygons	geo_intersection_2polygons(polygon1,polygon1)	dynamic	runs	Intersection of two polygons.
function	geo_intersection_line_with_polygon	geo_intersection_line_with_polygon(lineString,polygon)	dynamic	runs	Intersection of a line string and a polygon.
function	geo_intersects_2lines	geo_intersects_2lines(lineString1,lineString2)	bool	runs	Whether two line strings intersect.
function	geo_intersects_2polygons	geo_intersects_2polygons(polygon1,polygon1)	bool	runs	Whether two polygons intersect.
function	geo_intersects_line_with_polygon	geo_intersects_line_with_polygon(lineString,polygon)	bool	runs	Whether a line string and a polygon intersect.
function	geo_line_buffer	geo_line_buffer(lineString, radius, tolerance)	dynamic	runs	A polygon around a line string at a distance.
function	geo_line_centroid	geo_line_centroid(lineString)	dynamic	runs	The centroid of a line string.
function	geo_line_densify	geo_line_densify(lineString, tolerance, [ preserve_crossing ])	dynamic	runs	A line string with edges split to a tolerance.
function	geo_line_interpolate_point	geo_line_interpolate_point(lineString,fraction)	dynamic	runs	The point at a fraction of a line string's length.
function	geo_line_length	geo_line_length(lineString)	real	runs	Geodesic length of a line string, in meters.
function	geo_line_locate_point	geo_line_locate_point(lineString, longitude,latitude,[ use_spheroid ])	real	runs	The fraction of a line string's length to its point closest to a point.
function	geo_line_simplify	geo_line_simplify(lineString, tolerance)	dynamic	runs	A line string simplified to a tolerance.
function	geo_line_to_s2cells	geo_line_to_s2cells(lineString [, level[ , radius]])	dynamic	runs	S2 cells covering a line string.
function	geo_point_buffer	geo_point_buffer(longitude, latitude, radius, tolerance)	dynamic	runs	A polygon around a point at a distance.
function	geo_point_in_circle	geo_point_in_circle(p_longitude, p_latitude, pc_longitude, pc_latitude, c_radius)	bool	runs	Whether a point lies within a circle on the sphere.
function	geo_point_in_polygon	geo_point_in_polygon(longitude, latitude, polygon)	bool	runs	Whether a point lies inside a polygon.
function	geo_point_to_geohash	geo_point_to_geohash(longitude, latitude,[ accuracy ])	string	runs	The geohash of a point.
function	geo_point_to_h3cell	geo_point_to_h3cell(longitude, latitude, [ resolution ])	string	runs	The H3 cell of a point.
function	geo_point_to_s2cell	geo_point_to_s2cell(longitude, latitude, [ level ])	string	runs	The S2 cell token of a point.
function	geo_polygon_area	geo_polygon_area(polygon)	real	runs	Area of a polygon, in square meters.
function	geo_polygon_buffer	geo_polygon_buffer(polygon, radius, tolerance)	dynamic	runs	A polygon around a polygon at a distance.
function	geo_polygon_centroid	geo_polygon_centroid(polygon)	dynamic	runs	The centroid of a polygon.
function	geo_polygon_densify	geo_polygon_densify(polygon, tolerance, [ preserve_crossing ])	dynamic	runs	A polygon with edges split to a tolerance.
function	geo_polygon_perimeter	geo_polygon_perimeter(polygon)	real	runs	Perimeter of a polygon, in meters.
function	geo_polygon_simplify	geo_polygon_simplify(polygon, tolerance)	dynamic	runs	A polygon simplified to a tolerance.
function	geo_polygon_to_h3cells	geo_polygon_to_h3cells(polygon [, resolution[, radius]])	dynamic	runs	H3 cells covering a polygon.
function	geo_polygon_to_s2cells	geo_polygon_to_s2cells(polygon [, level[, radius]])	dynamic	runs	S2 cells covering a polygon.
function	geo_s2cell_neighbors	geo_s2cell_neighbors(s2cell)	dynamic	runs	The S2 cells adjacent to a cell.
function	geo_s2cell_to_central_point	geo_s2cell_to_central_point(s2cell)	dynamic	runs	The center of an S2 cell as a GeoJSON point.
function	geo_s2cell_to_polygon	geo_s2cell_to_polygon(s2cell)	dynamic	runs	An S2 cell as a GeoJSON polygon.
function	geo_simplify_polygons_array	geo_simplify_polygons_array(polygons, tolerance)	dynamic	runs	Union of polygons simplified to a tolerance.
function	geo_union_lines_array	geo_union_lines_array(lineStrings)	dynamic	runs	Union of line strings.
function	geo_union_polygons_array	geo_union_polygons_array(polygons)	dynamic	runs	Union of polygons.
function	getmonth	getmonth(...)	int	runs	Month of the year.
function	gettype	gettype(value)	string	runs	The runtime type name of a value.
function	getyear	getyear(date)	int	runs	Year of a datetime.
function	graph	graph( GraphName )	graph	persistent graphs (.create graph) are not simulated; make-graph builds a graph in the query	Refers to a persistent graph.
function	gzip_compress_to_base64_string	gzip_compress_to_base64_string(...)	string	runs	gzip-compresses a string and encodes it as base64.
function	gzip_decompress_from_base64_string	gzip_decompress_from_base64_string(...)	string	runs	Decodes base64 and gzip-decompresses a string.
function	has_any_index	has_any_index (source, values)	long	runs	Index of the first term of an array found in a string (-1 when none).
function	has_any_ipv4	has_any_ipv4(source , ip_address [, ip_address_2, ...] )	bool	runs	Whether a text holds any of the given IPv4 addresses.
function	has_any_ipv4_prefix	has_any_ipv4_prefix(source , ip_address_prefix [, ip_address_prefix_2, ...] )	bool	runs	Whether a text holds an IPv4 address starting with any of the prefixes.
function	has_ipv4	has_ipv4(source , ip_address )	bool	runs	Whether a text holds an IPv4 address.
function	has_ipv4_any	has_ipv4_any(...)	bool	runs	Alias of has_any_ipv4().
function	has_ipv4_prefix	has_ipv4_prefix(source , ip_address_prefix )	bool	runs	Whether a text holds an IPv4 address starting with a prefix.
function	hash	hash(source [, mod])	long	runs	XXH64 hash of a value, optionally modulo a number.
function	hash_combine	hash_combine(h1 , h2 [, h3 ...])	long	runs	Combines hash values.
function	hash_many	hash_many(s1 , s2 [, s3 ...])	long	runs	Combined hash of several values.
function	hash_md5	hash_md5(source)	string	runs	MD5 of a value, as hex.
function	hash_sha1	hash_sha1(source)	string	runs	SHA-1 of a value, as hex.
function	hash_sha256	hash_sha256(source)	string	runs	SHA-256 of a value, as hex.
function	hash_xxhash64	hash_xxhash64(source [, mod])	long	runs	XXH64 hash of a value, optionally modulo a number.
function	hll_merge	hll_merge( hll, hll2, [ hll3, ... ])	dynamic	runs	Merges hll sketches (scalar form).
function	hourofday	hourofday(date)	int	runs	Hour of the day.
function	iff	iff(if, then, else)	same as the branches	runs	The second argument when the first is true, otherwise the third.
function	iif	iif(...)	same as the branches	runs	Alias of iff().
function	indexof	indexof(string,match[,start[,length[,occurrence]]])	long	runs	Position of a substring (-1 when absent).
function	indexof_regex	indexof_regex(string,match[,start[,length[,occurrence]]])	long	runs	Position of a regex match (-1 when absent).
function	ingestion_time	ingestion_time()	datetime	runs	When the row was ingested.
function	inner_nodes	inner_nodes(edge)	dynamic	runs	The inner nodes of a variable-length path.
function	ipv4_compare	ipv4_compare(Expr1,Expr2[ ,PrefixMask])	long	runs	Compares two IPv4 addresses (-1, 0, 1), optionally masked.
function	ipv4_is_in_any_range	ipv4_is_in_any_range(Ipv4Address , Ipv4Range [ , Ipv4Range ...] )	bool	runs	Whether an IPv4 address lies in any of several ranges.
function	ipv4_is_in_range	ipv4_is_in_range(Ipv4Address,Ipv4Range)	bool	runs	Whether an IPv4 address lies in a range.
function	ipv4_is_match	ipv4_is_match(ip1,ip2[ ,prefix])	bool	runs	Whether two IPv4 addresses are equal, optionally masked.
function	ipv4_is_private	ipv4_is_private(ip)	bool	runs	Whether an IPv4 address is in a private network range.
function	ipv4_netmask_suffix	ipv4_netmask_suffix(ip)	int	runs	The prefix length of an IPv4 address in CIDR form.
function	ipv4_range_to_cidr_list	ipv4_range_to_cidr_list(StartAddress , EndAddress )	dynamic	runs	CIDR blocks covering an IPv4 range.
function	ipv6_compare	ipv6_compare(ip1,ip2[ ,prefix])	long	runs	Compares two IPv6 (or IPv4) addresses, optionally masked.
function	ipv6_is_in_any_range	ipv6_is_in_any_range(Ipv6Address , Ipv6Range [ , Ipv6Range ...] )	bool	runs	Whether an IPv6 address lies in any of several ranges.
function	ipv6_is_in_range	ipv6_is_in_range(Ipv6Address,Ipv6Range)	bool	runs	Whether an IPv6 address lies in a range.
function	ipv6_is_match	ipv6_is_match(ip1,ip2[ ,prefix])	bool	runs	Whether two IPv6 addresses are equal, optionally masked.
function	isascii	isascii(...)	bool	runs	Whether a string holds only ASCII characters.
function	isempty	isempty(value)	bool	runs	Whether a value is null or an empty string.
function	isfinite	isfinite(number)	bool	runs	Whether a number is neither infinite nor NaN.
function	isinf	isinf(number)	bool	runs	Whether a number is infinite.
function	isnan	isnan(number)	bool	runs	Whether a number is NaN.
function	isnotempty	isnotempty(value)	bool	runs	Whether a value is neither null nor an empty string.
function	isnotnull	isnotnull(value)	bool	runs	Whether a value is not null.
function	isnull	isnull(Expr)	bool	runs	Whether a value is null.
function	isutf8	isutf8(value)	bool	runs	Whether a string is valid UTF-8.
function	jaccard_index	jaccard_index(set1, set2)	real	runs	Jaccard similarity of two sets.
function	labels	labels( element )	dynamic	runs	The labels of a node or edge.
function	log	log(number)	real	runs	Natural logarithm.
function	log10	log10(number)	real	runs	Base-10 logarithm.
function	log2	log2(number)	real	runs	Base-2 logarithm.
function	loggamma	loggamma(number)	real	runs	Logarithm of the absolute gamma function.
function	make_datetime	make_datetime(year, month, day)	datetime	runs	A datetime from its parts.
function	make_string	make_string(...)	string	runs	A string from Unicode code points (alias of unicode_codepoints_to_string).
function	make_timespan	make_timespan(hour, minute)	timespan	runs	A timespan from its parts.
function	map	map(edge, expression)	dynamic	runs	An expression over each edge of a variable-length path.
function	materialize	materialize(expression)	table	runs	Caches a tabular expression for reuse within the query.
function	materialized_view	materialized_view(ViewName, [ max_age ] )	table	runs	Refers to a materialized view.
function	max_of	max_of(arg, arg_2, [ arg_3, ... ])	same as the arguments	runs	Largest of the arguments.
function	merge_tdigest	merge_tdigest(exprs)	dynamic	runs	Merges tdigest sketches (scalar form).
function	min_of	min_of (arg, arg_2, [ arg_3, ... ])	same as the arguments	runs	Smallest of the arguments.
function	monthofyear	monthofyear(date)	int	runs	Month of the year.
function	new_guid	new_guid()	guid	runs	A random guid.
function	node_degree_in	node_degree_in(...)	long	runs	Number of incoming edges of a node.
function	node_degree_out	node_degree_out(...)	long	runs	Number of outgoing edges of a node.
function	node_id	node_id(...)	string	runs	Identifier of a node.
function	not	not(expr)	bool	runs	Logical negation.
function	notempty	notempty(...)	bool	runs	Deprecated alias of isnotempty().
function	notnull	notnull(...)	bool	runs	Deprecated alias of isnotnull().
function	now	now([ offset ])	datetime	runs	The current UTC time, optionally offset.
function	pack	pack(...)	dynamic	runs	Alias of bag_pack().
function	pack_all	pack_all([ ignore_null_empty ])	dynamic	runs	A property bag of all the row's columns.
function	pack_array	pack_array(value1, [ value2, ... ])	dynamic	runs	An array of the arguments.
function	pack_dictionary	pack_dictionary(...)	dynamic	runs	Deprecated alias of bag_pack().
function	parse_command_line	parse_command_line(command_line, parser_type)	dynamic	runs	Splits a command line into arguments.
function	parse_csv	parse_csv(csv_text)	dynamic	runs	Splits one CSV record into an array of strings.
function	parse_ipv4	parse_ipv4(ip)	long	runs	An IPv4 address as a number.
function	parse_ipv4_mask	parse_ipv4_mask(ip , prefix)	long	runs	An IPv4 address with a mask applied, as a number.
function	parse_ipv6	parse_ipv6(ip)	string	runs	An IPv6 (or IPv4) address in canonical IPv6 form.
function	parse_ipv6_mask	parse_ipv6_mask(ip, prefix)	string	runs	An IPv6 address with a prefix mask in canonical form.
function	parse_json	parse_json(json)	dynamic	runs	Parses JSON text into a dynamic value (alias todynamic).
function	parse_path	parse_path(path)	dynamic	runs	The parts of a file path.
function	parse_url	parse_url(url)	dynamic	runs	The parts of a URL.
function	parse_urlquery	parse_urlquery(query)	dynamic	runs	The parameters of a URL query string.
function	parse_user_agent	parse_user_agent(user-agent-string, look-for)	dynamic	needs a user-agent database kshell does not ship	Browser, OS and device of a user-agent string.
function	parse_version	parse_version (version)	decimal	runs	A version string as a comparable decimal.
function	parse_xml	parse_xml(xml)	dynamic	runs	Parses XML text into a dynamic value.
function	percentile_tdigest	percentile_tdigest(expr, percentile [, typeLiteral])	same as the digest values	runs	A percentile value from a tdigest sketch.
function	percentiles_array_tdigest	percentiles_array_tdigest(tdigest, percentile1 [, percentile2, ...])	dynamic	runs	Percentile values from a tdigest sketch.
function	percentrank_tdigest	percentrank_tdigest(digest, value)	real	runs	Rank (0-100) of a value in a tdigest sketch.
function	pi	pi()	real	runs	The constant π.
function	pow	pow(base, exponent )	real	runs	A base raised to an exponent.
function	punycode_domain_from_string	punycode_domain_from_string(encoded_string)	string	runs	Encodes a domain name in punycode.
function	punycode_domain_to_string	punycode_domain_to_string(domain)	string	runs	Decodes a punycode domain name.
function	punycode_from_string	punycode_from_string('input_string')	string	runs	Encodes a string in punycode.
function	punycode_to_string	punycode_to_string('input_string')	string	runs	Decodes punycode.
function	radians	radians(degrees)	real	runs	Degrees to radians.
function	rand	rand() - returns a value of type real	real	runs	A random number.
function	range	range(start, stop [, step])	dynamic	runs	An array of equally spaced values.
function	rank_tdigest	rank_tdigest(digest, value)	long	runs	Number of values in a tdigest sketch not above a value.
function	regex_quote	regex_quote(string)	string	runs	Escapes regex metacharacters.
function	repeat	repeat(value, count)	dynamic	runs	An array repeating a value.
function	replace	replace(...)	string	runs	Deprecated alias of replace_regex().
function	replace_regex	replace_regex(source,lookup_regex, rewrite_pattern)	string	runs	Replaces every regex match.
function	replace_string	replace_string(text, lookup, rewrite)	string	runs	Replaces every occurrence of a substring.
function	replace_strings	replace_strings(text, lookups, rewrites)	string	runs	Replaces several substrings at once.
function	reverse	reverse(value)	string	runs	A string reversed.
function	round	round(number [, precision])	same as number	runs	Rounds to a precision.
function	series_abs	series_abs(series)	dynamic	runs	Element-wise absolute value.
function	series_acos	series_acos(series)	dynamic	runs	Element-wise inverse cosine.
function	series_add	series_add(series1, series2)	dynamic	runs	Element-wise sum of two series.
function	series_asin	series_asin(series)	dynamic	runs	Element-wise inverse sine.
function	series_atan	series_atan(series)	dynamic	runs	Element-wise inverse tangent.
function	series_ceiling	series_ceiling(series)	dynamic	runs	Element-wise ceiling.
function	series_cos	series_cos(series)	dynamic	runs	Element-wise cosine.
function	series_cosine_similarity	series_cosine_similarity(series1, series2, [magnitude1, [magnitude2]])	real	runs	Cosine similarity of two series.
function	series_decompose	series_decompose(Series , [ Seasonality, Trend, Test_points, Seasonality_threshold ])	dynamic	runs	Baseline, seasonal, trend and residual of a series.
function	series_decompose_anomalies	series_decompose_anomalies (Series, [ Threshold, Seasonality, Trend, Test_points, AD_method, Seasonality_threshold ])	dynamic	runs	Anomaly flags from a decomposition of a series.
function	series_decompose_forecast	series_decompose_forecast(Series, Points, [ Seasonality, Trend, Seasonality_threshold ])	dynamic	runs	Forecast from a decomposition of a series.
function	series_divide	series_divide(series1, series2)	dynamic	runs	Element-wise quotient of two series.
function	series_dot_product	series_dot_product(series1, series2)	real	runs	Dot product of two series.
function	series_equals	series_equals (series1, series2)	dynamic	runs	Element-wise equality of two series.
function	series_exp	series_exp(series)	dynamic	runs	Element-wise e to the power x.
function	series_fft	series_fft(x_real [, x_imaginary])	dynamic	runs	Fast Fourier transform of a series.
function	series_fill_backward	series_fill_backward(series[,missing_value_placeholder])	dynamic	runs	Fills missing values with the next known value.
function	series_fill_const	series_fill_const(series, constant_value, [ missing_value_placeholder ])	dynamic	runs	Fills missing values with a constant.
function	series_fill_forward	series_fill_forward(series, [ missing_value_placeholder ])	dynamic	runs	Fills missing values with the previous known value.
function	series_fill_linear	series_fill_linear(series, [ missing_value_placeholder [,fill_edges [, constant_value ]]])	dynamic	runs	Fills missing values by linear interpolation.
function	series_fir	series_fir(series, filter [, normalize[, center]])	dynamic	runs	Finite impulse response filter.
function	series_fit_2lines	series_fit_2lines(series)	dynamic	runs	Two-segment linear regression (several columns).
function	series_fit_2lines_dynamic	series_fit_2lines_dynamic(series)	dynamic	runs	Two-segment linear regression, as a property bag.
function	series_fit_line	series_fit_line(series)	dynamic	runs	Linear regression (several columns).
function	series_fit_line_dynamic	series_fit_line_dynamic(series)	dynamic	runs	Linear regression, as a property bag.
function	series_fit_poly	series_fit_poly(y_series [, x_series, degree ])	dynamic	runs	Polynomial regression (several columns).
function	series_floor	series_floor(series)	dynamic	runs	Element-wise floor.
function	series_greater	series_greater(series1, series2)	dynamic	runs	Element-wise > of two series.
function	series_greater_equals	series_greater_equals(series1, series2)	dynamic	runs	Element-wise >= of two series.
function	series_ifft	series_ifft(fft_real [, fft_imaginary])	dynamic	runs	Inverse fast Fourier transform.
function	series_iir	series_iir(series, numerators , denominators)	dynamic	runs	Infinite impulse response filter.
function	series_less	series_less(series1, series2)	dynamic	runs	Element-wise < of two series.
function	series_less_equals	series_less_equals(series1, series2)	dynamic	runs	Element-wise <= of two series.
function	series_log	series_log(series)	dynamic	runs	Element-wise natural logarithm.
function	series_magnitude	series_magnitude(series)	real	runs	Euclidean norm of a series.
function	series_multiply	series_multiply(series1, series2)	dynamic	runs	Element-wise product of two series.
function	series_not_equals	series_not_equals(series1, series2)	dynamic	runs	Element-wise != of two series.
function	series_outliers	series_outliers(series [, kind ] [, ignore_val ] [, min_percentile ] [, max_percentile ])	dynamic	runs	Tukey fence outlier scores of a series.
function	series_pearson_correlation	series_pearson_correlation(series1, series2)	real	runs	Pearson correlation of two series.
function	series_periods_detect	series_periods_detect(series, min_period, max_period, num_periods)	dynamic	runs	Detected periods of a series and their scores.
function	series_periods_validate	series_periods_validate(series, period1 [ , period2 , . . . ] )	dynamic	runs	Scores of candidate periods of a series.
function	series_pow	series_pow(series1, series2)	dynamic	runs	Element-wise power of two series.
function	series_product	series_product(series)	real	runs	Product of a series' elements.
function	series_seasonal	series_seasonal(series [, period ])	dynamic	runs	The seasonal component of a series.
function	series_sign	series_sign(series)	dynamic	runs	Element-wise sign.
function	series_sin	series_sin(series)	dynamic	runs	Element-wise sine.
function	series_stats	... | extend ( Name, ... ) = series_stats ( series [, ignore_nonfinite] )	dynamic	runs	Statistics of a series (several columns).
function	series_stats_dynamic	series_stats_dynamic(series [, ignore_nonfinite ])	dynamic	runs	Statistics of a series, as a property bag.
function	series_subtract	series_subtract(series1, series2)	dynamic	runs	Element-wise difference of two series.
function	series_sum	series_sum(series)	real	runs	Sum of a series' elements.
function	series_tan	series_tan(series)	dynamic	runs	Element-wise tangent.
function	set_difference	set_difference(set1, set2 [,set3, ...])	dynamic	runs	Distinct values of the first array absent from the others.
function	set_has_element	set_has_element(set, value)	bool	runs	Whether an array holds a value.
function	set_intersect	set_intersect(set1, set2 [, set3, ...])	dynamic	runs	Distinct values present in every array.
function	set_union	set_union(set1, set2 [, set3, ...])	dynamic	runs	Distinct values of all the arrays.
function	sign	sign(number)	same as number	runs	Sign of a number (-1, 0, 1).
function	sin	sin(number)	real	runs	Sine.
function	split	split(source, delimiter [, requestedIndex])	dynamic	runs	Splits a string by a delimiter (optionally one part).
function	sqrt	sqrt(number)	real	runs	Square root.
function	startofday	startofday(date [, offset ])	datetime	runs	Start of the day.
function	startofmonth	startofmonth(date [, offset ])	datetime	runs	Start of the month.
function	startofweek	startofweek(date [, offset ])	datetime	runs	Start of the week (Sunday).
function	startofyear	startofyear(date [, offset ])	datetime	runs	Start of the year.
function	stored_query_result	stored_query_result( StoredQueryResultName )	table	stored query results are not simulated	Refers to a stored query result.
function	strcat	strcat(argument1, argument2 [, argument3 ... ])	string	runs	Concatenates the arguments.
function	strcat_array	strcat_array(array, delimiter)	string	runs	Joins an array's elements with a delimiter.
function	strcat_delim	strcat_delim(delimiter, argument1, argument2[ , argumentN])	string	runs	Joins the arguments with a delimiter.
function	strcmp	strcmp(string1, string2)	int	runs	Compares two strings (-1, 0, 1).
function	string_size	string_size(source)	long	runs	Size of a string in UTF-8 bytes.
function	strlen	strlen(source)	long	runs	Length of a string in characters.
function	strrep	strrep(value, multiplier, [ delimiter ])	string	runs	A string repeated, optionally with a delimiter.
function	substring	substring(source, startingIndex [, length])	string	runs	Part of a string from an index.
function	table	table( TableName [, DataScope] )	table	runs	Refers to a table by name.
function	tan	tan(x)	real	runs	Tangent.
function	tobool	tobool(value)	bool	runs	Converts to bool (alias toboolean).
function	toboolean	toboolean(...)	bool	runs	Alias of tobool().
function	todatetime	todatetime(value)	datetime	runs	Converts to datetime.
function	todecimal	todecimal(value)	decimal	runs	Converts to decimal.
function	todouble	todouble(...)	real	runs	Converts to real (alias toreal).
function	todynamic	todynamic(...)	dynamic	runs	Alias of parse_json().
function	tofloat	tofloat(...)	real	runs	Alias of toreal().
function	toguid	toguid(value)	guid	runs	Converts to guid.
function	tohex	tohex(value, [, minLength ])	string	runs	A number in hexadecimal.
function	toint	toint(value)	int	runs	Converts to int.
function	toint64	toint64(...)	long	runs	Alias of tolong().
function	tolong	tolong(value)	long	runs	Converts to long.
function	tolower	tolower(value)	string	runs	Lower-case string.
function	toobject	toobject(...)	dynamic	runs	Alias of todynamic().
function	toreal	toreal(Expr)	real	runs	Converts to real.
function	toscalar	toscalar(expression)	same as the expression	runs	The single value of a tabular expression.
function	tostring	tostring(value)	string	runs	Converts to its text.
function	totime	totime(...)	timespan	runs	Alias of totimespan().
function	totimespan	totimespan(value)	timespan	runs	Converts to timespan.
function	toupper	toupper(value)	string	runs	Upper-case string.
function	translate	translate(searchList, replacementList, source)	string	runs	Replaces characters one for one.
function	typeof	typeof(type)	type	runs	A type literal, for the functions that take a type (extract, parse_csv...).
function	treepath	treepath(object)	dynamic	runs	The JSONPaths of a dynamic value's leaves.
function	trim	trim(regex, source)	string	runs	Removes a leading and trailing regex match.
function	trim_end	trim_end(regex, source)	string	runs	Removes a trailing regex match.
function	trim_start	trim_start(regex, source)	string	runs	Removes a leading regex match.
function	unicode_codepoints_from_string	unicode_codepoints_from_string(value)	dynamic	runs	The Unicode code points of a string.
function	unicode_codepoints_to_string	unicode_codepoints_to_string (values)	string	runs	A string from Unicode code points.
function	unixtime_microseconds_todatetime	unixtime_microseconds_todatetime(microseconds)	datetime	runs	Unix microseconds to datetime.
function	unixtime_milliseconds_todatetime	unixtime_milliseconds_todatetime(milliseconds)	datetime	runs	Unix milliseconds to datetime.
function	unixtime_nanoseconds_todatetime	unixtime_nanoseconds_todatetime(nanoseconds)	datetime	runs	Unix nanoseconds to datetime.
function	unixtime_seconds_todatetime	unixtime_seconds_todatetime(seconds)	datetime	runs	Unix seconds to datetime.
function	url_decode	url_decode(encoded_url)	string	runs	Decodes percent-encoding.
function	url_encode	url_encode(url)	string	runs	Percent-encodes a URL (spaces as +).
function	url_encode_component	url_encode_component(url)	string	runs	Percent-encodes a URL component.
function	week_of_year	week_of_year(date)	int	runs	ISO 8601 week number.
function	weekofyear	weekofyear(...)	int	runs	Alias of week_of_year() (deprecated).
function	welch_test	welch_test(mean1, variance1, count1, mean2, variance2, count2)	real	runs	p-value of Welch's t-test.
function	zip	zip(arrays)	dynamic	runs	Arrays zipped element by element.
function	zlib_compress_to_base64_string	zlib_compress_to_base64_string(string)	string	runs	zlib-compresses a string and encodes it as base64.
function	zlib_decompress_from_base64_string	zlib_decompress_from_base64_string(string)	string	runs	Decodes base64 and zlib-decompresses a string.
window	next	next(column, [ offset, default_value ])	same as column	runs	A column's value in a later row.
window	prev	prev(column, [ offset ], [ default_value ] )	same as column	runs	A column's value in an earlier row.
window	row_cumsum	row_cumsum( term [, restart] )	same as term	runs	Running sum, optionally restarting.
window	row_number	row_number( [StartingIndex [, Restart]] )	long	runs	Row number, optionally restarting.
window	row_rank_dense	row_rank_dense ( Term )	long	runs	Dense rank of a value among the sorted rows.
window	row_rank_min	row_rank_min ( Term, [restart] )	long	runs	Minimal rank of a value among the sorted rows.
window	row_window_session	row_window_session ( Expr , MaxDistanceFromFirst , MaxDistanceBetweenNeighbors [, Restart] )	datetime	runs	Session start of each row by gaps and maximum length.
aggregate	any	any(...)	same as expr	runs	Deprecated alias of take_any().
aggregate	anyif	anyif(...)	same as expr	runs	Deprecated alias of take_anyif().
aggregate	arg_max	arg_max (ExprToMaximize, | ExprToReturn [, ...])	table	runs	The row (chosen columns) where an expression is largest.
aggregate	arg_min	arg_min (ExprToMinimize, | ExprToReturn [, ...])	table	runs	The row (chosen columns) where an expression is smallest.
aggregate	avg	avg(expr)	real	runs	Average.
aggregate	avgif	avgif (expr, predicate)	real	runs	Average over rows where a predicate holds.
aggregate	binary_all_and	binary_all_and (expr)	long	runs	Bitwise AND of all values.
aggregate	binary_all_or	binary_all_or (expr)	long	runs	Bitwise OR of all values.
aggregate	binary_all_xor	binary_all_xor (expr)	long	runs	Bitwise XOR of all values.
aggregate	buildschema	buildschema (DynamicExpr)	dynamic	runs	The schema that admits every dynamic value.
aggregate	count	count()	long	runs	Number of rows.
aggregate	count_distinct	count_distinct (expr)	long	runs	Exact number of distinct values.
aggregate	count_distinctif	count_distinctif (expr, predicate)	long	runs	Exact number of distinct values where a predicate holds.
aggregate	countif	countif (predicate)	long	runs	Number of rows where a predicate holds.
aggregate	covariance	covariance(expr1 , expr2 )	real	runs	Sample covariance of two expressions.
aggregate	covarianceif	covarianceif(expr1 , expr2 , predicate)	real	runs	Sample covariance where a predicate holds.
aggregate	covariancep	covariancep(expr1 , expr2 )	real	runs	Population covariance of two expressions.
aggregate	covariancepif	covariancepif(expr1 , expr2 , predicate)	real	runs	Population covariance where a predicate holds.
aggregate	dcount	dcount (expr[, accuracy])	long	runs	Estimated number of distinct values.
aggregate	dcountif	dcountif (expr, predicate, [, accuracy])	long	runs	Estimated number of distinct values where a predicate holds.
aggregate	hll	hll (expr [, accuracy])	dynamic	runs	An hll sketch of the distinct values.
aggregate	hll_if	hll_if (expr, predicate [, accuracy])	dynamic	runs	An hll sketch of the values where a predicate holds.
aggregate	hll_merge	hll_merge (hll)	dynamic	runs	Merges hll sketches.
aggregate	make_bag	make_bag (expr [, maxSize])	dynamic	runs	Merges property bags into one.
aggregate	make_bag_if	make_bag_if(expr, predicate [, maxSize])	dynamic	runs	Merges property bags where a predicate holds.
aggregate	make_list	make_list(expr [, maxSize])	dynamic	runs	Array of all values.
aggregate	make_list_if	make_list_if(expr, predicate [, maxSize])	dynamic	runs	Array of the values where a predicate holds.
aggregate	make_list_with_nulls	make_list_with_nulls(expr)	dynamic	runs	Array of all values, nulls included.
aggregate	make_set	make_set(expr [, maxSize])	dynamic	runs	Array of the distinct values.
aggregate	make_set_if	make_set_if(expr, predicate [, maxSize])	dynamic	runs	Array of the distinct values where a predicate holds.
aggregate	makelist	makelist(...)	dynamic	runs	Deprecated alias of make_list().
aggregate	makeset	makeset(...)	dynamic	runs	Deprecated alias of make_set().
aggregate	max	max(expr)	same as expr	runs	Largest value.
aggregate	maxif	maxif(expr,predicate)	same as expr	runs	Largest value where a predicate holds.
aggregate	min	min (expr)	same as expr	runs	Smallest value.
aggregate	minif	minif (Expr,Predicate)	same as expr	runs	Smallest value where a predicate holds.
aggregate	percentile	percentile(expr, percentile)	same as expr	runs	A percentile (nearest rank).
aggregate	percentiles	percentiles(...)	same as expr	runs	Several percentiles, one column each.
aggregate	percentiles_array	percentiles_array(...)	dynamic	runs	Several percentiles as one array.
aggregate	percentilesw	percentilesw(...)	same as expr	runs	Several weighted percentiles.
aggregate	percentilesw_array	percentilesw_array(...)	dynamic	runs	Several weighted percentiles as one array.
aggregate	percentilew	percentilew(expr, weightExpr, percentile)	same as expr	runs	A weighted percentile.
aggregate	stdev	stdev(expr)	real	runs	Sample standard deviation.
aggregate	stdevif	stdevif(expr,predicate)	real	runs	Sample standard deviation where a predicate holds.
aggregate	stdevp	stdevp(expr)	real	runs	Population standard deviation.
aggregate	stdevpif	stdevpif(...)	real	runs	Population standard deviation where a predicate holds.
aggregate	sum	sum(expr)	same as expr	runs	Sum.
aggregate	sumif	sumif(expr,predicate)	same as expr	runs	Sum where a predicate holds.
aggregate	take_any	take_any(expr_1 [, expr_2 ...])	same as expr	runs	Any one value.
aggregate	take_anyif	take_anyif( expr, predicate )	same as expr	runs	Any one value where a predicate holds.
aggregate	tdigest	tdigest(expr [, weight])	dynamic	runs	A tdigest sketch of the values.
aggregate	tdigest_merge	tdigest_merge(expr)	dynamic	runs	Merges tdigest sketches (alias merge_tdigest).
aggregate	variance	variance(expr)	real	runs	Sample variance.
aggregate	varianceif	varianceif(expr, predicate)	real	runs	Sample variance where a predicate holds.
aggregate	variancep	variancep(expr)	real	runs	Population variance.
aggregate	variancepif	variancepif(expr, predicate)	real	runs	Population variance where a predicate holds.
operator	!=	T | where column != (expression)	bool	runs	Case-sensitive inequality.
operator	!between	T | where expr !between (leftRange .. rightRange)	bool	runs	Whether a value lies outside an inclusive range.
operator	!contains	T | where Column !contains (Expression)	bool	runs	Negated case-insensitive substring test.
operator	!contains_cs	T | where Column !contains_cs (Expression)	bool	runs	Negated case-sensitive substring test.
operator	!endswith	T | where col !endswith (expression)	bool	runs	Negated case-insensitive suffix test.
operator	!endswith_cs	T | where col !endswith_cs (expression)	bool	runs	Negated case-sensitive suffix test.
operator	!has	T | where column !has (expression)	bool	runs	Negated case-insensitive whole-term test.
operator	!has_cs	T | where column !has_cs (expression)	bool	runs	Negated case-sensitive whole-term test.
operator	!hasprefix	T | where Column !hasprefix (Expression)	bool	runs	Negated case-insensitive term-prefix test.
operator	!hasprefix_cs	T | where column !hasprefix_cs (expression)	bool	runs	Negated case-sensitive term-prefix test.
operator	!hassuffix	T | where column !hassuffix (expression)	bool	runs	Negated case-insensitive term-suffix test.
operator	!hassuffix_cs	T | where column !hassuffix_cs (expression)	bool	runs	Negated case-sensitive term-suffix test.
operator	!in	T | where col !in (expression, ... )	bool	runs	Negated case-sensitive membership.
operator	!in~	T | where col !in~ (expression, ... )	bool	runs	Negated case-insensitive membership.
operator	!startswith	T | where column !startswith (expression)	bool	runs	Negated case-insensitive prefix test.
operator	!startswith_cs	T | where column !startswith_cs (expression)	bool	runs	Negated case-sensitive prefix test.
operator	!~	T | where column !~ (expression)	bool	runs	Case-insensitive string inequality.
operator	==	T | where col == (expression, ... )	bool	runs	Case-sensitive equality.
operator	=~	T | where col =~ (expression)	bool	runs	Case-insensitive string equality.
operator	alias	alias	statement	runs	Names a database for the query.
operator	as	T | as [hint.materialized = Materialized] Name	table	runs	Names the piped table (for union withsource and later reference).
operator	between	T | where expr between (leftRange .. rightRange)	bool	runs	Whether a value lies within an inclusive range.
operator	consume	consume [decodeblocks = DecodeBlocks]	table	runs	Reads the input and discards it.
operator	contains	contains	bool	runs	Case-insensitive substring test.
operator	contains_cs	T | where col contains_cs (string)	bool	runs	Case-sensitive substring test.
operator	count	T | count	table	runs	Number of input rows.
operator	datatable	datatable( ColumnName : ColumnType [, ...]) [ ScalarValue [, ...] ]	table	runs	A table from literal values.
operator	declare pattern	declare pattern	statement	runs	Declares a pattern (a mapping of arguments to tables).
operator	declare query_parameters	declare query_parameters	statement	runs	Declares the query's parameters.
operator	distinct	T | distinct ColumnName[,ColumnName2, ...]	table	runs	Distinct combinations of columns.
operator	endswith	T | where col endswith (expression)	bool	runs	Case-insensitive suffix test.
operator	endswith_cs	T | where col endswith_cs (expression)	bool	runs	Case-sensitive suffix test.
operator	evaluate	evaluate	table	runs	Invokes a plugin.
operator	extend	T | extend [ColumnName | (ColumnName[, ...]) =] Expression [, ...]	table	runs	Adds calculated columns.
operator	externaldata	externaldata (columnName:columnType [, ...] )	table	runs	Reads data from external storage.
operator	facet	T | facet by ColumnName [, ColumnName2, ...] [with ( filterPipe )]	table	runs	One count table per column, plus optional filtered rows.
operator	find	find	table	runs	Rows matching a predicate across tables.
operator	fork	T | fork [name=](subquery) [name=](subquery) ...	table	runs	Several results from one input.
operator	getschema	T | getschema	table	runs	The input's column names and types.
operator	graph-mark-components	G | graph-mark-components [kind = Kind] [with_component_id = ComponentId]	graph	runs	Marks connected components of a graph.
operator	graph-match	G | graph-match [cycles = CyclesOption] Pattern [where Constraints] project [ColumnName =] Expression [, ...]	table	runs	Matches a pattern in a graph.
operator	graph-shortest-paths	G | graph-shortest-paths [output = OutputOption] Pattern where Predicate project [ColumnName =] Expression [, ...]	table	runs	Shortest paths in a graph.
operator	graph-to-table	G | graph-to-table nodes [ with_node_id=ColumnName ]	table	runs	A graph's nodes or edges as a table.
operator	has	T | where Column has (Expression)	bool	runs	Case-insensitive whole-term test.
operator	has_all	T | where col has_all (expression, ... )	bool	runs	Whether every term is present.
operator	has_any	T | where col has_any (expression, ... )	bool	runs	Whether any term is present.
operator	has_cs	T | where Column has_cs (Expression)	bool	runs	Case-sensitive whole-term test.
operator	hasprefix	T | where Column hasprefix (Expression)	bool	runs	Case-insensitive term-prefix test.
operator	hasprefix_cs	T | where Column hasprefix_cs (Expression)	bool	runs	Case-sensitive term-prefix test.
operator	hassuffix	T | where Column hassuffix (Expression)	bool	runs	Case-insensitive term-suffix test.
operator	hassuffix_cs	T | where column hassuffix_cs ( expression )	bool	runs	Case-sensitive term-suffix test.
operator	in	T | where col in (expression, ... )	bool	runs	Case-sensitive membership in a list.
operator	inline_external_table	inline_external_table (columnName:columnType [, ...] )	table	runs	An external table defined inline.
operator	invoke	T | invoke function([param1, param2])	table	runs	Calls a function on the piped table.
operator	in~	T | where col in~ (expression, ... )	bool	runs	Case-insensitive membership in a list.
operator	join	LeftTable | join [ kind = JoinFlavor ] [ Hints ] (RightTable) on Conditions	table	runs	Merges rows of two tables on matching keys.
operator	let	let	statement	runs	Binds a name to a value, table or function.
operator	limit	limit	table	runs	Alias of take.
operator	lookup	LeftTable | lookup [kind = (leftouter|inner)] (RightTable) on Attributes	table	runs	Extends a fact table with a dimension table's columns.
operator	macro-expand	macro-expand [kind = Kind] [isfuzzy = IsFuzzy] EntityGroup as EntityIdentifier (Subquery)	table	runs	Runs a subquery over each entity of an entity group.
operator	make-graph	Edges | make-graph SourceNodeId --> TargetNodeId [ with Nodes1 on NodeId1 [, Nodes2 on NodeId2 ]]	graph	runs	Builds a graph from edges and nodes.
operator	make-series	T | make-series [MakeSeriesParameters]	table	runs	Aggregated series over an axis.
operator	matches regex	matches regex	bool	runs	Whether a string matches a regex.
operator	mv-apply	T | mv-apply [ItemIndex] ColumnsToExpand [RowLimit] on ( SubQuery )	table	runs	Runs a subquery over each row's expanded arrays.
operator	mv-expand	T |mv-expand [kind=(bag | array)] [with_itemindex= IndexColumnName] ColumnName [to typeof( Typename)] [, ColumnName ...] [limit Rowlimit]	table	runs	One row per element of an array or bag.
operator	order	order	table	runs	Alias of sort.
operator	parse	T | parse [ kind=kind [ flags=regexFlags ]] expression with [ ] stringConstant columnName [: columnType] [ ] , ...	table	runs	Extracts columns from a string by a pattern.
operator	parse-kv	T | parse-kv Expression as ( KeysList ) with ( pair_delimiter = PairDelimiter , kv_delimiter = KvDelimiter [, quote = QuoteChars ... [, escape = EscapeChar ...]] [, greedy = true] )	table	runs	Extracts key/value pairs from a string.
operator	parse-where	T | parse-where [kind=kind [flags= regexFlags]] expression with (stringConstant columnName [: columnType]) ...	table	runs	Like parse, dropping rows that do not match.
operator	partition	T | partition [ hint.strategy=Strategy ] [ Hints ] by Column ( TransformationSubQuery )	table	runs	Runs a subquery per partition of the input.
operator	print	print [ColumnName =] ScalarExpression [, ...]	table	runs	One row of scalar expressions.
operator	project	find [withsource= ColumnName] [in (Tables)] where Predicate [project-smart | project ColumnName[: ColumnType , ... ] [, pack_all()]]	table	runs	Selects, renames and computes columns.
operator	project-away	T | project-away ColumnNameOrPattern [, ...]	table	runs	Removes columns.
operator	project-by-names	T | project-by-names ColumnSpecifier [, ...]	table	runs	Selects columns by name expressions.
operator	project-keep	T | project-keep ColumnNameOrPattern [, ...]	table	runs	Keeps columns.
operator	project-rename	T | project-rename NewColumnName = ExistingColumnName [, ...]	table	runs	Renames columns.
operator	project-reorder	T | project-reorder ColumnNameOrPattern [asc | desc | granny-asc | granny-desc] [, ...]	table	runs	Reorders columns.
operator	range	range columnName from start to stop step step	table	runs	A table of a numeric, datetime or timespan progression.
operator	reduce	T | reduce [kind = ReduceKind] by Expr [with [threshold = Threshold] [, characters = Characters]]	table	runs	Groups strings by similarity.
operator	render	T | render visualization [with ( propertyName = propertyValue [, ...])]	table	runs	Asks for a chart of the result.
operator	restrict	restrict	statement	runs	Limits the tables the rest of the query can see.
operator	sample	T | sample NumberOfRows	table	runs	Random rows.
operator	sample-distinct	T | sample-distinct NumberOfValues of ColumnName	table	runs	Random distinct values of a column.
operator	scan	T | scan [ with_match_id = MatchIdColumnName ] [ declare ( ColumnDeclarations ) ] with ( StepDefinitions )	table	runs	A state machine over ordered rows.
operator	search	search	table	runs	Rows holding a term across tables and columns.
operator	serialize	serialize [Name1 = Expr1 [, Name2 = Expr2]...]	table	runs	Marks the rows as ordered (for window functions).
operator	set	set	statement	runs	Sets a request property.
operator	sort	T | sort by column [asc | desc] [nulls first | nulls last] [, ...]	table	runs	Sorts rows (alias order).
operator	startswith	T | where col startswith (expression)	bool	runs	Case-insensitive prefix test.
operator	startswith_cs	T | where col startswith_cs (expression)	bool	runs	Case-sensitive prefix test.
operator	summarize	T | summarize [ SummarizeParameters ]	table	runs	Groups rows and aggregates.
operator	take	take NumberOfRows	table	runs	A number of rows (alias limit).
operator	top	T | top NumberOfRows by Expression [asc | desc] [nulls first | nulls last]	table	runs	The first rows by a sort order.
operator	top-hitters	T | top-hitters NumberOfValues of ValueExpression [ by SummingExpression ]	table	runs	Approximate most frequent values.
operator	top-nested	T | top-nested [ N ] of Expr [with others = ConstExpr] by Aggregation [asc | desc] [,	table	runs	Hierarchical top results.
operator	union	union	table	runs	Rows of several tables.
operator	where	T | where col matches regex (expression)	table	runs	Rows for which a predicate holds (alias filter).
plugin	active_users_count	T | evaluate active_users_count(IdColumn, TimelineColumn, Start, End, LookbackWindow, Period, ActivePeriodsCount, Bin , [dim1, dim2, ...])	table	runs	Distinct active users over lookback windows.
plugin	activity_counts_metrics	T | evaluate activity_counts_metrics(IdColumn, TimelineColumn, Start, End, Step [, Dimensions])	table	runs	Counts, distinct counts and new values per period.
plugin	activity_engagement	T | evaluate activity_engagement(IdColumn, TimelineColumn, [Start, End,] InnerActivityWindow, OuterActivityWindow [, dim1, dim2, ...])	table	runs	Activity ratios over an inner and an outer window.
plugin	activity_metrics	T | evaluate activity_metrics(IdColumn, TimelineColumn, [Start, End,] Window [, dim1, dim2, ...])	table	runs	Retention, churn and new values per period.
plugin	ai_chat_completion	evaluate ai_chat_completion (Chat, ConnectionString [, Options [, IncludeErrorMessages]])	table	calls a service outside the cluster, which the simulation does not have	Chat completion by an AI model.
plugin	ai_chat_completion_prompt	evaluate ai_chat_completion_prompt (Prompt, ConnectionString [, Options [, IncludeErrorMessages]])	table	calls a service outside the cluster, which the simulation does not have	Prompt completion by an AI model.
plugin	ai_embeddings	evaluate ai_embeddings (text, connectionString [, options [, IncludeErrorMessages]])	table	calls a service outside the cluster, which the simulation does not have	Text embeddings by an AI model.
plugin	autocluster	T | evaluate autocluster ([SizeWeight [, WeightColumn [, NumSeeds [, CustomWildcard [, ... ]]]]])	table	runs	Common patterns of discrete attributes.
plugin	azure_digital_twins_query_request	evaluate azure_digital_twins_query_request ( AdtInstanceEndpoint , AdtQuery )	table	calls a service outside the cluster, which the simulation does not have	Runs an Azure Digital Twins query.
plugin	bag_unpack	T | evaluate bag_unpack( Column [, OutputColumnPrefix ] [, columnsConflict ] [, ignoredProperties ] ) [: OutputSchema]	table	runs	One column per property of a dynamic bag.
plugin	basket	T | evaluate basket ([ Threshold, WeightColumn, MaxDimensions, CustomWildcard, CustomWildcard, ... ])	table	runs	Frequent patterns of discrete attributes.
plugin	cosmosdb_sql_request	evaluate cosmosdb_sql_request ( ConnectionString , SqlQuery [, SqlParameters [, Options]] ) [: OutputSchema]	table	calls a service outside the cluster, which the simulation does not have	Runs a Cosmos DB SQL query.
plugin	dcount_intersect	T | evaluate dcount_intersect(hll_1, hll_2, [, hll_3, ...])	table	runs	Distinct counts of intersections of hll sketches.
plugin	diffpatterns	T | evaluate diffpatterns(SplitColumn, SplitValueA, SplitValueB [, WeightColumn,Threshold, MaxDimensions, CustomWildcard, ...])	table	runs	Patterns that differ between two sets of rows.
plugin	diffpatterns_text	T | evaluate diffpatterns_text(TextColumn, BooleanCondition [, MinTokens, Threshold , MaxTokens])	table	runs	Text patterns that differ between two sets of rows.
plugin	funnel_sequence	T | evaluate funnel_sequence(IdColumn, TimelineColumn, Start, End, MaxSequenceStepWindow, Step, StateColumn, Sequence)	table	runs	Events before and after a sequence of states.
plugin	funnel_sequence_completion	T | evaluate funnel_sequence_completion(IdColumn, TimelineColumn, Start, End, BinSize, StateColumn, Sequence, MaxSequenceStepWindows)	table	runs	Completed funnel steps per period.
plugin	geo_line_lookup	T | evaluate geo_line_lookup( LookupTable , LookupLineKey , SourceLongitude , SourceLatitude , Radius , [ return_unmatched ] , [ lookup_area_radius ] , [ return_lookup_key ] )	table	runs	Joins points with their nearest line in a lookup table.
plugin	geo_polygon_lookup	T | evaluate geo_polygon_lookup( LookupTable , LookupPolygonKey , SourceLongitude , SourceLatitude , [ radius ] , [ return_unmatched ] , [ lookup_area_radius ] , [ return_lookup_key ] )	table	runs	Joins points with the polygons containing them.
plugin	http_request	evaluate http_request ( Uri [, RequestHeaders [, Options]] )	table	calls a service outside the cluster, which the simulation does not have	Sends an HTTP GET request.
plugin	http_request_post	evaluate http_request_post ( Uri [, RequestHeaders [, Options [, Content]]] )	table	calls a service outside the cluster, which the simulation does not have	Sends an HTTP POST request.
plugin	infer_storage_schema	evaluate infer_storage_schema( Options )	table	runs	Infers the schema of files in storage.
plugin	infer_storage_schema_with_suggestions	evaluate infer_storage_schema_with_suggestions( Options )	table	runs	Infers a storage schema with suggestions.
plugin	ipv4_lookup	T | evaluate ipv4_lookup( LookupTable , SourceIPv4Key , IPv4LookupKey [, ExtraKey1 [.. , ExtraKeyN [, return_unmatched ]]] )	table	runs	Joins IPv4 addresses with a table of ranges.
plugin	ipv6_lookup	T | evaluate ipv6_lookup( LookupTable , SourceIPv6Key , IPv6LookupKey [, return_unmatched ] )	table	runs	Joins IPv6 addresses with a table of ranges.
plugin	mysql_request	evaluate mysql_request ( ConnectionString , SqlQuery [, SqlParameters] ) [: OutputSchema]	table	calls a service outside the cluster, which the simulation does not have	Runs a MySQL query.
plugin	narrow	T | evaluate narrow()	table	runs	Unpivots a table into Row, Column, Value.
plugin	new_activity_metrics	TabularExpression | evaluate new_activity_metrics(IdColumn, TimelineColumn, Start, End, Window [, Cohort] [, dim1, dim2, ...] [, Lookback] )	table	runs	Activity metrics of new users' cohorts.
plugin	pivot	T | evaluate pivot(pivotColumn[, aggregationFunction] [,column1 [,column2 ... ]]) [: OutputSchema]	table	runs	Turns a column's values into columns.
plugin	postgresql_request	evaluate postgresql_request ( ConnectionString , SqlQuery [, SqlParameters] ) [: OutputSchema]	table	calls a service outside the cluster, which the simulation does not have	Runs a PostgreSQL query.
plugin	preview	T | evaluate preview(NumberOfRows)	table	runs	The first rows and the total row count.
plugin	python	T | evaluate python(...)	table	calls a service outside the cluster, which the simulation does not have	Runs a Python script.
plugin	r	T | evaluate [hint.distribution = (single | per_node)] r(output_schema, script [, script_parameters] [, external_artifacts])	table	calls a service outside the cluster, which the simulation does not have	Runs an R script.
plugin	rolling_percentile	T | evaluate rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, BinsPerWindow [, dim1, dim2, ...] )	table	runs	Percentile over a rolling window.
plugin	rows_near	T | evaluate rows_near(Condition, NumRows, [, RowsAfter ])	table	runs	Rows near those matching a condition.
plugin	schema_merge	T | evaluate schema_merge(PreserveOrder)	table	runs	Merges table schemas into one.
plugin	sequence_detect	T | evaluate sequence_detect (TimelineColumn, MaxSequenceStepWindow, MaxSequenceSpan, Expr1, Expr2, ..., Dim1, Dim2, ...)	table	runs	Sequences of events within time windows.
plugin	session_count	TabularExpression | evaluate session_count(IdColumn, TimelineColumn, Start, End, Bin, LookBackWindow [, dim1, dim2, ...])	table	runs	Number of sessions per period.
plugin	sliding_window_counts	T | evaluate sliding_window_counts(IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin , [dim1, dim2, ...])	table	runs	Counts and distinct counts over sliding windows.
plugin	sql_request	evaluate sql_request ( ConnectionString , SqlQuery [, SqlParameters [, Options]] ) [: OutputSchema]	table	calls a service outside the cluster, which the simulation does not have	Runs a SQL Server query.
"""
