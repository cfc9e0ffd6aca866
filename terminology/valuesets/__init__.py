"""The value-set engine: compose, expansion and membership, over providers it is handed; no Flask, no JSON."""
