"""The server layer: `kshell serve`, the simulated cluster as a Kusto REST endpoint.

Modules, each one job:
    cli         the `serve` and `token` command lines
    http        HTTP front: routes, bodies (chunked, gzip), headers, the request log
    request     decoding a request body, its properties, options and parameters
    principals  Bearer token -> principal FQN (and minting tokens)
    service     the Session behind one lock; runs each request as its principal
    frames      results -> v2 frames / v1 tables
    values      Kusto's JSON value encodings (both directions)
    errors      OneApi error bodies and HTTP statuses

Nothing here reaches into the engine: requests are parsed by kshell.syntax and
run with Session.run, exactly as the shell runs them.  See docs/server.md.
"""
