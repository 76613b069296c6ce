"""chainkg's core: settings, the store, loading and validation, named queries, statistics and networkx views.

Nothing here speaks HTTP or renders HTML: `api/` and `viz/` call into this package.
"""
