"""The conversation state store and per-chat lock, against both backends (SQLite and Redis)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from contextlib import AsyncExitStack
from pathlib import Path

import orjson
import pytest

from storage.errors import LockTimeout
from storage.infra.locks import LocalLocks
from storage.infra.state import (
    HeldChat,
    LostLock,
    RedisStateStore,
    SqliteStateStore,
    StateStore,
    make_state_store,
)

try:  # tests/integration may or may not be a package
    from tests.integration.state_fixtures import (
        OTHER_KEY,
        Backend,
        RedisBackend,
        backend,
        cipher,
        redis_backend,
        redis_url,
        run_child,
        store,
    )
except ImportError:
    from state_fixtures import (  # type: ignore[no-redef]
        OTHER_KEY,
        Backend,
        RedisBackend,
        backend,
        cipher,
        redis_backend,
        redis_url,
        run_child,
        store,
    )

__all__ = ["backend", "redis_backend", "store"]  # fixtures used by name

NIK = "3171234567890123"
NAME = "Siti Rahayu"


def conversation(**extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "v": 1,
        "lang": "id",
        "flow": "registration",
        "step": "birth_date",
        "answers": {"nik": NIK, "full_name": NAME},
        "seq": 3,
        "back": ["nik", "full_name"],
        "recent": [1001, 1002],
        "outbox": [],
        "blocked": False,
    }
    doc.update(extra)
    return doc


def reply(text: str) -> dict[str, object]:
    return {"id": text, "method": "sendMessage", "params": {"chat_id": 1, "text": text}}


class TestStateStore:
    async def test_a_new_chat_has_no_conversation(self, store: StateStore) -> None:
        assert await store.load(42) is None

    async def test_a_saved_conversation_is_read_back_unchanged(self, store: StateStore) -> None:
        await store.save(42, conversation())
        assert await store.load(42) == conversation()

    async def test_saving_again_replaces_the_conversation(self, store: StateStore) -> None:
        await store.save(42, conversation())
        await store.save(42, conversation(step="phone", seq=4))
        assert await store.load(42) == conversation(step="phone", seq=4)

    async def test_chats_do_not_see_each_others_conversation(self, store: StateStore) -> None:
        await store.save(1, conversation(step="nik"))
        await store.save(-100123, conversation(step="phone"))  # group chats are negative
        assert (await store.load(1) or {})["step"] == "nik"
        assert (await store.load(-100123) or {})["step"] == "phone"

    async def test_a_deleted_conversation_is_gone(self, store: StateStore) -> None:
        await store.save(42, conversation(outbox=[reply("a")]))
        await store.delete(42)
        assert await store.load(42) is None
        assert await store.chats_with_outbox() == []
        await store.delete(42)  # deleting twice is fine

    async def test_a_saved_conversation_is_there_after_reopening_the_store(
        self, backend: Backend
    ) -> None:
        first = await backend.open()
        await first.save(42, conversation(outbox=[reply("a")]))
        await first.close()
        again = await backend.open()
        assert await again.load(42) == conversation(outbox=[reply("a")])
        assert await again.chats_with_outbox() == [42]

    async def test_state_survives_sigkill_of_the_process(self, backend: Backend) -> None:
        doc = conversation(outbox=[reply("hello")])
        child = await run_child(backend, "save-and-die", "42", orjson.dumps(doc).decode())
        _, err = await asyncio.wait_for(child.communicate(), 60)
        assert child.returncode == -signal.SIGKILL, err.decode()
        store = await backend.open()
        assert await store.load(42) == doc
        assert await store.chats_with_outbox() == [42]

    async def test_state_is_encrypted_at_rest(self, backend: Backend) -> None:
        store = await backend.open()
        await store.save(42, conversation(outbox=[reply("NIK kamu " + NIK)]))
        raw = await backend.raw_bytes()
        assert len(raw) > 0
        assert NIK.encode() not in raw
        assert NAME.encode() not in raw
        assert b"registration" not in raw
        assert (await store.load(42) or {})["answers"]["nik"] == NIK

    async def test_an_undecryptable_state_reads_as_empty(
        self, backend: Backend, caplog: pytest.LogCaptureFixture
    ) -> None:
        store = await backend.open()
        await store.save(42, conversation())
        other_key = await backend.open(key=OTHER_KEY)
        with caplog.at_level(logging.WARNING, logger="storage.infra.state"):
            assert await other_key.load(42) is None
        assert "42" in caplog.text
        assert NIK not in caplog.text
        # The chat goes on: the next save replaces the unreadable document.
        await other_key.save(42, conversation(step="nik"))
        assert (await other_key.load(42) or {})["step"] == "nik"

    @pytest.mark.parametrize(
        "blob",
        [b"", b"garbage", b"\x01" + bytes(40)],
        ids=["empty", "garbage", "bad-tag"],
    )
    async def test_a_corrupted_state_reads_as_empty(
        self, backend: Backend, blob: bytes, caplog: pytest.LogCaptureFixture
    ) -> None:
        store = await backend.open()
        await store.save(42, conversation())
        await backend.put_raw(42, blob)
        with caplog.at_level(logging.WARNING, logger="storage.infra.state"):
            assert await store.load(42) is None
        assert "42" in caplog.text

    async def test_a_state_that_is_not_an_object_reads_as_empty(self, backend: Backend) -> None:
        store = await backend.open()
        await store.save(42, conversation())
        await backend.put_raw(42, cipher().encrypt_bytes(b"[1, 2]", b"state"))
        assert await store.load(42) is None

    async def test_chats_with_unsent_replies_are_listed_until_sent(self, store: StateStore) -> None:
        await store.save(1, conversation(outbox=[reply("a")]))
        await store.save(2, conversation(outbox=[reply("b"), reply("c")]))
        await store.save(3, conversation())
        await store.save(4, {"v": 1})  # no outbox key at all
        assert await store.chats_with_outbox() == [1, 2]
        assert await store.chats_with_outbox(limit=1) == [1]
        # chat 2 sends one reply, one remains; chat 1 sends everything
        await store.save(2, conversation(outbox=[reply("c")]))
        await store.save(1, conversation(outbox=[]))
        assert await store.chats_with_outbox() == [2]
        await store.save(2, conversation())
        assert await store.chats_with_outbox() == []

    async def test_a_chat_waiting_longest_is_listed_first(self, store: StateStore) -> None:
        for chat_id in (5, 3, 9):
            await store.save(chat_id, conversation(outbox=[reply("x")]))
            await asyncio.sleep(0.002)
        assert await store.chats_with_outbox() == [5, 3, 9]

    async def test_ping_answers_when_the_backend_works(self, store: StateStore) -> None:
        await store.ping()

    async def test_each_backend_follows_the_interface(self, store: StateStore) -> None:
        assert isinstance(store, StateStore)

    async def test_two_updates_of_one_chat_never_run_at_the_same_time(
        self, store: StateStore
    ) -> None:
        inside = 0
        most_inside = 0

        async def handle_update() -> None:
            nonlocal inside, most_inside
            async with store.hold(7) as held:
                inside += 1
                most_inside = max(most_inside, inside)
                doc = held.doc or {"n": 0}
                await asyncio.sleep(0.001)
                doc["n"] += 1
                held.save_last(doc)
                inside -= 1

        await asyncio.gather(*(handle_update() for _ in range(40)))
        assert most_inside == 1
        assert await store.load(7) == {"n": 40}  # each one saw the one before it

    async def test_a_save_inside_a_hold_is_durable_at_once(self, backend: Backend) -> None:
        store = await backend.open()
        async with store.hold(42, order=1) as held:
            assert held.doc is None
            await held.save(conversation(outbox=[reply("a")]))
            elsewhere = await backend.open()  # another process, or after a restart
            assert await elsewhere.load(42) == conversation(outbox=[reply("a")])
            assert await elsewhere.chats_with_outbox() == [42]
        assert await elsewhere.load(42) == conversation(outbox=[reply("a")])

    async def test_the_last_save_is_written_as_the_hold_ends(self, backend: Backend) -> None:
        store = await backend.open()
        await store.save(42, conversation(outbox=[reply("a")]))
        async with store.hold(42, order=1) as held:
            assert held.doc == conversation(outbox=[reply("a")])
            held.save_last(conversation(step="phone"))
        elsewhere = await backend.open()
        assert await elsewhere.load(42) == conversation(step="phone")
        assert await elsewhere.chats_with_outbox() == []  # its replies were sent
        async with store.hold(42, timeout=0.5, order=2) as held:  # and the chat is free
            assert held.doc == conversation(step="phone")

    async def test_waiting_updates_of_one_process_enter_in_the_order_they_came(
        self, store: StateStore
    ) -> None:
        entered: list[int] = []

        async def handle(update_id: int) -> None:
            async with store.hold(1, order=update_id) as held:
                entered.append(update_id)
                held.save_last({"last": update_id})

        waiters = []
        async with store.hold(1, order=10):
            for update_id in range(11, 16):
                waiters.append(asyncio.create_task(handle(update_id)))
                await asyncio.sleep(0.01)
        await asyncio.gather(*waiters)
        assert entered == [11, 12, 13, 14, 15]
        assert await store.load(1) == {"last": 15}

    async def test_a_slow_update_keeps_its_chat_and_its_writes(self, backend: Backend) -> None:
        slow = await backend.open(lock_lease_seconds=0.3)
        other = await backend.another_worker(slow, lock_lease_seconds=0.3)
        async with slow.hold(1, order=1) as held:
            await asyncio.sleep(0.5)  # longer than a Redis lease: renewed meanwhile
            with pytest.raises(LockTimeout):
                async with other.hold(1, timeout=0.2, order=2):
                    pytest.fail("entered a chat that is held")
            await held.save({"by": "slow"})
            held.save_last({"by": "slow", "done": True})
        assert await other.load(1) == {"by": "slow", "done": True}
        async with other.hold(1, timeout=0.5, order=3):  # and the chat is free
            pass

    async def test_different_chats_do_not_wait_for_each_other(self, store: StateStore) -> None:
        held = asyncio.Event()
        done = asyncio.Event()

        async def slow_update() -> None:
            async with store.hold(1):
                held.set()
                await done.wait()

        slow = asyncio.create_task(slow_update())
        await held.wait()
        started = time.monotonic()
        async with store.hold(2, timeout=1.0):
            pass
        assert time.monotonic() - started < 0.5
        done.set()
        await slow

    async def test_a_chat_busy_longer_than_the_timeout_raises_lock_timeout(
        self, store: StateStore
    ) -> None:
        held = asyncio.Event()
        done = asyncio.Event()

        async def slow_update() -> None:
            async with store.hold(1):
                held.set()
                await done.wait()

        slow = asyncio.create_task(slow_update())
        await held.wait()
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            async with store.hold(1, timeout=0.2):
                pytest.fail("entered a chat that is held")
        assert 0.15 < time.monotonic() - started < 1.0
        done.set()
        await slow
        async with store.hold(1, timeout=1.0):  # and it is free afterwards
            pass

    async def test_a_failing_update_does_not_block_the_chat(self, store: StateStore) -> None:
        with pytest.raises(RuntimeError, match="boom"):
            async with store.hold(1):
                raise RuntimeError("boom")
        async with store.hold(1, timeout=0.5):
            pass

    async def test_lock_of_a_crashed_holder_expires(self, backend: Backend) -> None:
        store = await backend.open()
        if isinstance(backend, RedisBackend):
            # Another process takes the chat (lease 0.5 s) and is killed while holding it.
            child = await run_child(backend, "hold-and-die", "1")
            out, err = await asyncio.wait_for(child.communicate(), 60)
            assert out.strip() == b"held", err.decode()
            assert child.returncode == -signal.SIGKILL
            assert 0 < await backend.client.pttl(f"{backend.prefix}lock:1") <= 500
        else:
            # Embedded: the holder is a task of this process that gets cancelled.
            held = asyncio.Event()

            async def crashing_update() -> None:
                async with store.hold(1):
                    held.set()
                    await asyncio.sleep(3600)

            task = asyncio.create_task(crashing_update())
            await held.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        started = time.monotonic()
        async with store.hold(1, timeout=5.0, order=2):
            pass
        assert time.monotonic() - started < 2.0

    async def test_waiting_for_a_chat_can_be_cancelled(self, store: StateStore) -> None:
        held = asyncio.Event()
        done = asyncio.Event()

        async def slow_update() -> None:
            async with store.hold(1, order=1):
                held.set()
                await done.wait()

        slow = asyncio.create_task(slow_update())
        await held.wait()
        waiter = asyncio.create_task(store.hold(1, order=2).__aenter__())
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        done.set()
        await slow
        async with store.hold(1, timeout=0.5, order=3):
            pass

    async def test_a_plain_lock_excludes_holders_too(self, store: StateStore) -> None:
        async with store.lock(1):
            with pytest.raises(LockTimeout):
                async with store.hold(1, timeout=0.1):
                    pytest.fail("entered a chat that is locked")
        async with store.hold(1, timeout=0.5), store.lock(2, timeout=0.5):
            pass

    async def test_lock_memory_does_not_grow_with_the_number_of_chats(
        self, store: StateStore
    ) -> None:
        async def update(chat_id: int) -> None:
            async with store.hold(chat_id):
                await asyncio.sleep(0)

        await asyncio.gather(*(update(chat_id % 50) for chat_id in range(300)))
        for chat_id in range(300, 400):
            await update(chat_id)
        assert len(store._locks) == 0  # type: ignore[attr-defined]


class TestLostLock:
    """A holder that stalled past its lease (Redis) may have been overtaken: its writes are
    refused with ``LostLock`` and the chat keeps what the next holder wrote. An embedded lock
    has no lease (``test_a_slow_update_keeps_its_chat_and_its_writes``)."""

    async def overtaken(
        self, backend: RedisBackend, stack: AsyncExitStack
    ) -> tuple[StateStore, HeldChat]:
        """A hold of chat 1 (ended by closing ``stack``) whose process stalled past the lease
        while another process took the chat and wrote to it."""
        stalled, other = [await backend.open(lock_lease_seconds=0.3) for _ in range(2)]
        await stalled.save(1, {"by": "first"})
        held = await stack.enter_async_context(stalled.hold(1, order=1))
        time.sleep(0.5)  # noqa: ASYNC251 - a stalled process: nothing renews the lease
        async with other.hold(1, timeout=2.0, order=2) as theirs:
            assert theirs.doc == {"by": "first"}
            theirs.save_last({"by": "other"})
        return other, held

    async def test_a_save_after_losing_the_lock_is_refused(
        self, redis_backend: RedisBackend
    ) -> None:
        async with AsyncExitStack() as stack:
            other, held = await self.overtaken(redis_backend, stack)
            with pytest.raises(LostLock):
                await held.save({"by": "stalled", "outbox": [reply("late")]})
        assert await other.load(1) == {"by": "other"}
        assert await other.chats_with_outbox() == []

    async def test_a_last_save_after_losing_the_lock_is_refused_as_the_hold_ends(
        self, redis_backend: RedisBackend
    ) -> None:
        stack = AsyncExitStack()
        other, held = await self.overtaken(redis_backend, stack)
        held.save_last({"by": "stalled", "outbox": [reply("late")]})
        with pytest.raises(LostLock):
            await stack.aclose()
        assert await other.load(1) == {"by": "other"}
        assert await other.chats_with_outbox() == []
        async with other.hold(1, timeout=0.5, order=3) as again:  # and the chat is free
            assert again.doc == {"by": "other"}

    async def test_a_hold_that_lost_its_lock_does_not_free_the_chat_of_the_next_holder(
        self, redis_backend: RedisBackend
    ) -> None:
        stalled, other, third = [await redis_backend.open(lock_lease_seconds=0.3) for _ in range(3)]
        stack = AsyncExitStack()
        await stack.enter_async_context(stalled.hold(1, order=1))
        time.sleep(0.5)  # noqa: ASYNC251 - a stalled process: nothing renews the lease
        async with other.hold(1, timeout=2.0, order=2):
            await stack.aclose()  # the stalled hold ends while the chat is the other's
            with pytest.raises(LockTimeout):
                async with third.hold(1, timeout=0.2, order=3):
                    pytest.fail("entered a chat that is held")


class TestRedisOnly:
    async def test_two_processes_never_handle_one_chat_at_the_same_time(
        self, redis_backend: RedisBackend
    ) -> None:
        children = [await run_child(redis_backend, "count", "7", "40") for _ in range(3)]
        results = await asyncio.wait_for(
            asyncio.gather(*(child.communicate() for child in children)), 120
        )
        for child, (out, err) in zip(children, results, strict=True):
            assert child.returncode == 0, err.decode()
            assert out.strip() == b"overlaps=0"
        store = await redis_backend.open()
        assert await store.load(7) == {"n": 120, "busy": False}

    async def test_two_workers_in_one_process_share_the_chat_lock(
        self, redis_backend: RedisBackend
    ) -> None:
        workers = [await redis_backend.open(), redis_backend.from_client()]
        inside = 0
        most_inside = 0

        async def handle_update(worker: StateStore) -> None:
            nonlocal inside, most_inside
            async with worker.hold(7) as held:
                inside += 1
                most_inside = max(most_inside, inside)
                doc = held.doc or {"n": 0}
                await asyncio.sleep(0.001)
                doc["n"] += 1
                held.save_last(doc)
                inside -= 1

        await asyncio.gather(*(handle_update(workers[i % 2]) for i in range(30)))
        assert most_inside == 1
        assert await workers[0].load(7) == {"n": 30}

    async def test_updates_of_one_chat_waiting_in_two_processes_enter_by_update_id(
        self, redis_backend: RedisBackend
    ) -> None:
        holder, later, earlier = [await redis_backend.open() for _ in range(3)]
        entered: list[int] = []

        async def handle(store: StateStore, update_id: int) -> None:
            async with store.hold(1, order=update_id) as held:
                entered.append(update_id)
                held.save_last({"last": update_id})

        async with holder.hold(1, order=1):
            first = asyncio.create_task(handle(earlier, 2))
            await asyncio.sleep(0.3)  # waiting long: it asks again only every 50 ms
        # Asks the moment the lock is free, while update 2 is between two tries.
        second = asyncio.create_task(handle(later, 3))
        await asyncio.gather(first, second)
        assert entered == [2, 3]
        assert await holder.load(1) == {"last": 3}

    async def test_updates_waiting_in_several_processes_enter_lowest_update_id_first(
        self, redis_backend: RedisBackend
    ) -> None:
        holder = await redis_backend.open()
        entered: list[int] = []

        async def handle(update_id: int) -> None:
            process = await redis_backend.open()
            async with process.hold(1, timeout=5, order=update_id) as held:
                entered.append(update_id)
                held.save_last({"last": update_id})

        waiters = []
        async with holder.hold(1, order=10):
            for update_id in (15, 12, 14, 11, 13):  # as they reached the processes
                waiters.append(asyncio.create_task(handle(update_id)))
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
        await asyncio.gather(*waiters)
        assert entered == [11, 12, 13, 14, 15]
        assert await holder.load(1) == {"last": 15}

    async def test_with_an_order_window_an_earlier_update_arriving_just_later_goes_first(
        self, redis_backend: RedisBackend
    ) -> None:
        first_process, second_process = [
            await redis_backend.open(order_window=0.5) for _ in range(2)
        ]
        entered: list[int] = []

        async def handle(store: StateStore, update_id: int, chat: int = 1) -> None:
            async with store.hold(chat, order=update_id):
                entered.append(update_id)

        await handle(first_process, 6, chat=2)  # every update up to 6 has been received
        later = asyncio.create_task(handle(first_process, 8))  # the chat's lock is free
        await asyncio.sleep(0.03)  # update 7 reaches the other process 30 ms later
        earlier = asyncio.create_task(handle(second_process, 7))
        await asyncio.gather(later, earlier)
        assert entered == [6, 7, 8]

    async def test_an_update_id_that_never_comes_holds_back_only_for_the_window(
        self, redis_backend: RedisBackend
    ) -> None:
        store = await redis_backend.open(order_window=0.2)
        loop = asyncio.get_running_loop()
        async with store.hold(1, order=20):
            pass
        started = loop.time()
        async with store.hold(1, order=22):  # 21 was never sent
            waited = loop.time() - started
        assert 0.15 < waited < 1.0
        started = loop.time()
        async with store.hold(1, order=23):
            assert loop.time() - started < 0.1  # the gap no longer holds anything back

    async def test_an_update_that_stopped_waiting_does_not_hold_up_the_next(
        self, redis_backend: RedisBackend
    ) -> None:
        holder, quitter, patient = [await redis_backend.open() for _ in range(3)]
        async with holder.hold(1, order=1):
            with pytest.raises(LockTimeout):
                async with quitter.hold(1, timeout=0.1, order=2):
                    pytest.fail("entered a lock that is held")
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with patient.hold(1, timeout=5, order=3):
            pass
        assert loop.time() - started < 0.5  # not the 2 s a dead waiter is kept

    async def test_a_conversation_expires_after_the_ttl(self, redis_backend: RedisBackend) -> None:
        store = redis_backend.from_client(ttl_seconds=1)
        await store.save(42, conversation(outbox=[reply("a")]))
        ttl = await redis_backend.client.ttl(f"{redis_backend.prefix}state:42")
        assert 0 < ttl <= 1

    async def test_a_forgotten_chat_leaves_the_list_of_unsent_replies(
        self, redis_backend: RedisBackend
    ) -> None:
        store = redis_backend.from_client()
        for chat_id in (1, 2, 3):
            await store.save(chat_id, conversation(outbox=[reply("a")]))
        await redis_backend.client.delete(f"{redis_backend.prefix}state:1")  # as if expired
        assert await store.chats_with_outbox(limit=2) == [2, 3]
        assert await redis_backend.client.zrange(f"{redis_backend.prefix}outbox", 0, -1) == [
            b"2",
            b"3",
        ]

    async def test_a_burst_of_updates_waits_for_a_free_connection(
        self, redis_backend: RedisBackend
    ) -> None:
        store = await redis_backend.open(max_connections=3)
        await store.save(1, conversation())
        docs = await asyncio.gather(*(store.load(1) for _ in range(200)))
        assert all(doc == conversation() for doc in docs)

    async def test_closing_a_store_made_from_a_client_leaves_the_client_open(
        self, redis_backend: RedisBackend
    ) -> None:
        store = redis_backend.from_client()
        await store.close()
        assert await redis_backend.client.ping()


class TestFactoryAndLocks:
    async def test_without_redis_the_embedded_store_is_used(self, tmp_path: Path) -> None:
        path = tmp_path / "nested" / "state.sqlite3"
        store = make_state_store(None, path, cipher())
        try:
            assert isinstance(store, SqliteStateStore)
            assert path.exists()
            await store.ping()
        finally:
            await store.close()

    async def test_the_embedded_store_is_durable_against_a_crash(self, tmp_path: Path) -> None:
        store = SqliteStateStore(tmp_path / "s.sqlite3", cipher())
        try:
            db = store._db
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        finally:
            await store.close()

    @pytest.mark.redis
    async def test_with_a_redis_url_the_redis_store_is_used(self, tmp_path: Path) -> None:
        store = make_state_store(redis_url(), tmp_path / "unused.sqlite3", cipher())
        try:
            assert isinstance(store, RedisStateStore)
            try:
                await store.ping()
            except Exception as exc:  # unreachable: same policy as the fixtures
                if os.environ.get("CI") == "true":
                    pytest.fail(f"Redis unreachable: {exc!r}")
                pytest.skip(f"Redis unreachable: {exc!r}")
        finally:
            await store.close()
        assert not (tmp_path / "unused.sqlite3").exists()

    async def test_local_locks_forget_chats_nobody_waits_for(self) -> None:
        locks = LocalLocks()
        async with locks.hold(1), locks.hold(2):
            assert len(locks) == 2
        assert len(locks) == 0
        async with locks.hold(3):
            with pytest.raises(LockTimeout):
                async with locks.hold(3, timeout=0.01):
                    pytest.fail("entered a lock that is held")
            assert len(locks) == 1
        assert len(locks) == 0
