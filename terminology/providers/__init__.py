"""Code system providers: one per kind of code system, all behind :class:`~.base.CodeSystemProvider`."""
