"""The .obc grammar (obc.lark), read with importlib resources."""
