"""IdentityCache: values kept by the identity of the object they were made from."""

from terminology.identity_cache import IdentityCache


def test_a_value_is_made_once_for_the_same_object():
    made = []
    cache: IdentityCache[dict, int] = IdentityCache(10)
    key = {"url": "a"}
    assert cache.get(key, lambda k: made.append(k) or len(made)) == 1
    assert cache.get(key, lambda k: made.append(k) or len(made)) == 1
    assert made == [key]


def test_an_equal_object_is_another_key():
    cache: IdentityCache[dict, str] = IdentityCache(10)
    assert cache.get({"url": "a"}, lambda k: "first") == "first"
    assert cache.get({"url": "a"}, lambda k: "second") == "second"


def test_a_full_cache_starts_afresh():
    cache: IdentityCache[tuple, int] = IdentityCache(2)
    keys = [(n,) for n in range(3)]
    for key in keys:
        cache.get(key, lambda k: k[0])
    assert len(cache) == 1  # the third began a fresh cache
    assert cache.get(keys[0], lambda k: -1) == -1  # made again


def test_short_lived_objects_never_get_another_ones_value():
    # Objects made and dropped one after another, more than the cache holds: whatever ids are
    # reused, each gets the value made from it.
    cache: IdentityCache[list, str] = IdentityCache(100)
    for number in range(5_000):
        assert cache.get([str(number)], lambda k: k[0]) == str(number)
