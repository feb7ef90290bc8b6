"""Ids: ULIDs as python-ulid writes them, increasing, unique across threads."""

from __future__ import annotations

import threading
import time

from ulid import ULID

from irbox.ids import encode, new_id


def test_encoding_is_the_ulid_one() -> None:
    for value in (0, 1, 2**128 - 1, 2**80, 0x0123456789ABCDEF0123456789ABCDEF):
        assert encode(value) == str(ULID.from_int(value))


def test_ids_carry_their_time_and_keep_increasing() -> None:
    before = time.time()
    ids = [new_id("alert") for _ in range(10_000)]  # many share a millisecond
    assert all(i.startswith("alert_") and len(i) == 32 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    stamp = ULID.from_str(ids[0].removeprefix("alert_")).timestamp
    assert before - 0.002 <= stamp <= time.time()


def test_ids_from_many_threads_are_unique() -> None:
    made: list[list[str]] = [[] for _ in range(8)]

    def make(out: list[str]) -> None:
        out.extend(new_id("x") for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for out in made for i in out]
    assert len(set(everything)) == len(everything)
