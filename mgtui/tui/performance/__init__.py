"""How the UI stays fast while agents stream: frame rate, GC policy, strip caches, tail flush clock."""
