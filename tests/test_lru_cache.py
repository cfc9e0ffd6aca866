"""LruCache: bounded, the least recently used dropped first, and every answer right past the bound."""

from __future__ import annotations

import threading

import pytest

from terminology.lru_cache import LruCache


def test_it_holds_at_most_its_size_and_answers_right_past_it():
    made: list[int] = []

    def square(n: int) -> int:
        made.append(n)
        return n * n

    cache: LruCache[int, int] = LruCache(100)
    for n in range(1000):
        assert cache.get(n, square) == n * n
        assert len(cache) <= 100
    assert len(cache) == 100
    assert [cache.get(n, square) for n in range(1000)] == [n * n for n in range(1000)]


def test_a_kept_value_is_not_made_again():
    made: list[str] = []
    cache: LruCache[str, str] = LruCache(2)
    for key in ("a", "a", "a"):
        cache.get(key, lambda k: made.append(k) or k.upper())
    assert made == ["a"]


def test_the_least_recently_used_goes_first():
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key

    cache: LruCache[str, str] = LruCache(2)
    cache.get("a", make)
    cache.get("b", make)
    cache.get("a", make)  # a is now the more recent: c drops b
    cache.get("c", make)
    made.clear()
    cache.get("a", make)
    cache.get("b", make)
    assert made == ["b"]


def test_threads_share_it():
    cache: LruCache[int, int] = LruCache(50)
    wrong: list[int] = []

    def ask(offset: int) -> None:
        for n in range(2000):
            key = (n * 7 + offset) % 300
            if cache.get(key, lambda k: -k) != -key:
                wrong.append(key)

    threads = [threading.Thread(target=ask, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong and len(cache) <= 50


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        LruCache(0)
