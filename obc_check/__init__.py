"""obc-check: rules-as-code for outcomes-based contracts.

The pipeline runs one way: ``grammar`` (surface syntax) → ``dsl`` (parse, build, check) →
``model`` (the compiled contract) → ``checker`` (data against the contract) → ``render``
(contract text) → ``cli``. Each stage is also a library call.
"""

__version__ = "0.1.0"
