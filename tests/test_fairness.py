"""The shares of the query workers (``server.http.fairness.Shares``) hand every slot on: a waiting query of
a client is never forgotten, whatever order its neighbours start, end or give up in.

A soak with one more reader than a client's share found queries refused after waiting the whole time
limit while the others ended in milliseconds: a query that had just been handed a slot dropped the
waiting list of the query that came after it.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from server.http.fairness import Shares, TooManyQueries

CLIENT = "address:127.0.0.1"


async def holder(shares: Shares, started: asyncio.Event, done: asyncio.Event, timeout: float = 30.0) -> None:
    async with shares.slot(CLIENT, timeout):
        started.set()
        await done.wait()


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def test_a_query_waiting_behind_a_handed_over_slot_is_not_forgotten() -> None:
    """Two slots end in one step (the first handed to a waiting query W, the second freed), and a new
    query queues before W runs again: W must not drop the new query's place in the queue."""

    async def scenario() -> str:
        shares = Shares(limit=2)
        release = asyncio.Event()
        waiter_started, waiter_done = asyncio.Event(), asyncio.Event()
        waiter_task = None

        async def first() -> str:
            nonlocal waiter_task
            async with shares.slot(CLIENT, 30.0), shares.slot(CLIENT, 30.0):
                waiter_task = asyncio.create_task(holder(shares, waiter_started, waiter_done))
                await release.wait()
            # both slots released in this step: one handed to the waiter, one freed; then, before the
            # waiter runs again, take the free slot and queue for another
            async with shares.slot(CLIENT, 30.0):
                waiter_done.set()
                try:
                    async with shares.slot(CLIENT, 1.0):
                        return "served"
                except TooManyQueries:
                    return "refused although a slot came free"

        task = asyncio.create_task(first())
        await settle()
        release.set()
        answer = await task
        assert waiter_task is not None
        await waiter_task
        return answer

    assert asyncio.run(scenario()) == "served"


def test_every_slot_comes_back_when_queries_start_end_and_give_up_in_any_order() -> None:
    async def scenario(seed: int) -> dict[str, int]:
        rng = random.Random(seed)
        shares = Shares(limit=2)
        patient_refused = 0

        async def query() -> None:
            nonlocal patient_refused
            timeout = rng.choice([0.001, 0.01, 20.0])
            try:
                async with shares.slot(CLIENT, timeout):
                    for _ in range(rng.randrange(4)):
                        await asyncio.sleep(0)
            except TooManyQueries:
                # every query ends within a few turns of the loop: only an impatient one may be refused
                patient_refused += timeout == 20.0

        tasks = []
        for _ in range(200):
            tasks.append(asyncio.create_task(query()))
            if rng.random() < 0.3:
                await asyncio.sleep(0)
            if rng.random() < 0.05:
                tasks[rng.randrange(len(tasks))].cancel()  # a client that hangs up while it waits
        await asyncio.gather(*tasks, return_exceptions=True)
        return {
            "running": sum(shares.running.values()),
            "waiting": len(shares.waiting),
            "patient queries refused": patient_refused,
        }

    for seed in range(30):
        assert asyncio.run(scenario(seed)) == {"running": 0, "waiting": 0, "patient queries refused": 0}, seed


@pytest.mark.parametrize("limit", [1, 3])
def test_a_client_past_its_share_waits_for_its_own_slot(limit: int) -> None:
    async def scenario() -> tuple[int, bool]:
        shares = Shares(limit=limit)
        held = [(asyncio.Event(), asyncio.Event()) for _ in range(limit)]
        holders = [asyncio.create_task(holder(shares, *pair)) for pair in held]
        await settle()
        late_started, late_done = asyncio.Event(), asyncio.Event()
        late = asyncio.create_task(holder(shares, late_started, late_done))
        other = asyncio.create_task(
            _other_client(shares)
        )  # another client is not held up by this one's queue
        await settle()
        waited = not late_started.is_set()
        held[0][1].set()
        await settle()
        late_done.set()
        for pair in held[1:]:
            pair[1].set()
        await asyncio.gather(*holders, late, other)
        return sum(shares.running.values()), waited and late_started.is_set()

    assert asyncio.run(scenario()) == (0, True)


async def _other_client(shares: Shares) -> None:
    async with shares.slot("address:127.0.0.2", 0.5):
        pass
